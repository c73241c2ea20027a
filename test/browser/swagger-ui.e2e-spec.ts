import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import { PASSWORD } from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import {
  addPasskeyOnAccountPage,
  attachAuthenticator,
  enrolTotp,
  signInOnHostedPage,
} from '../support/hosted-sign-in.js';
import {
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

const available = chromiumAvailable('Swagger UI');

/**
 * Swagger UI in a real browser: Authorize with the OAuth2 password flow, "Try it out" on
 * GET /users/me; then the same with a pasted bearer token; then a reload keeps the authorization;
 * then the authorization code flow in Warden's popup for a password, a TOTP and a passkey user.
 */
// One run is enough: the browser test does not depend on the database, so the PostgreSQL
// project skips it.
describe.skipIf(!available || testDatabaseKind() === 'postgres')(
  'Swagger UI in Chromium',
  () => {
    let server: ServerProcess;
    let browser: Browser;
    let page: Page;
    let accessToken: string;

    beforeAll(async () => {
      const dir = scratchDirectory();
      server = await startServer(
        {
          DATABASE_URL: `sqlite:${join(dir, 'ui.sqlite')}`,
          // Second factors and passkeys without a mailed proof first (the popup tests add them).
          EMAIL_VERIFICATION: 'off',
        },
        dir,
      );
      const signup = await fetch(`${server.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'ui@example.com',
          username: 'ui_user',
          password: PASSWORD,
          fullName: 'Ui User',
        }),
      });
      accessToken = ((await signup.json()) as { access_token: string })
        .access_token;
      browser = await launchChromium();
      page = await browser.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function openAuthorize(): Promise<void> {
      await page.locator('button.authorize').first().click();
      await page.locator('.modal-ux').waitFor();
    }

    async function closeAuthorize(): Promise<void> {
      await page.locator('.modal-ux button.btn-done').first().click();
      await page.locator('.modal-ux').waitFor({ state: 'detached' });
    }

    /**
     * Runs "Try it out" → "Execute" on an operation, with query parameters typed into (or, for
     * enums, selected in) Swagger UI's own inputs, and returns the status code and body shown.
     */
    async function tryOperation(
      domId: string,
      parameters: Record<string, string> = {},
    ): Promise<{ status: string; body: string }> {
      const operation = page.locator(`[id="${domId}"]`);
      if (!(await operation.locator('.opblock-body').isVisible())) {
        await operation.locator('.opblock-summary').click();
      }
      const tryIt = operation.locator('button.try-out__btn');
      if ((await tryIt.textContent())?.includes('Try it out'))
        await tryIt.click();
      for (const [name, value] of Object.entries(parameters)) {
        const cell = operation.locator(`tr[data-param-name="${name}"]`);
        if ((await cell.locator('select').count()) > 0)
          await cell.locator('select').selectOption(value);
        else await cell.locator('input').fill(value);
      }
      await operation.locator('button.execute').click();
      const row = operation.locator('.live-responses-table .response').first();
      await row.waitFor();
      return {
        status:
          (await row.locator('.response-col_status').textContent())?.trim() ??
          '',
        body:
          (await operation
            .locator('.live-responses-table .microlight')
            .first()
            .textContent()) ?? '',
      };
    }

    const tryUsersMe = () =>
      tryOperation('operations-users-UsersController_me');

    it('signs in through the OAuth2 password form and gets 200 from GET /users/me', async () => {
      await page.goto(`${server.url}/docs`);
      await page.locator('#operations-users-UsersController_me').waitFor();
      await openAuthorize();
      await page.locator('#oauth_username').fill('ui_user');
      await page.locator('#oauth_password').fill(PASSWORD);
      const oauth2 = page
        .locator('.modal-ux .auth-container')
        .filter({ hasText: 'OAuth2, password' });
      await oauth2.locator('button.authorize').click();
      await oauth2.locator('button', { hasText: 'Logout' }).waitFor();
      await closeAuthorize();
      const result = await tryUsersMe();
      expect(result.status).toBe('200');
      expect(result.body).toContain('ui_user');
    });

    it('works with a pasted bearer token instead', async () => {
      await openAuthorize();
      // Each OAuth2 flow has its own container: sign out of whichever holds a token.
      const logout = page
        .locator('.modal-ux')
        .locator('button', { hasText: 'Logout' });
      while ((await logout.count()) > 0) await logout.first().click();
      await page.locator('#auth-bearer-value').fill(accessToken);
      const bearer = page
        .locator('.modal-ux .auth-container')
        .filter({ hasText: '(http, Bearer)' });
      await bearer.locator('button.authorize').click();
      await bearer.locator('button', { hasText: 'Logout' }).waitFor();
      await closeAuthorize();
      const result = await tryUsersMe();
      expect(result.status).toBe('200');
      expect(result.body).toContain('ui@example.com');
    });

    it('keeps the authorization across a reload (persistAuthorization)', async () => {
      await page.reload();
      await page.locator('#operations-users-UsersController_me').waitFor();
      const result = await tryUsersMe();
      expect(result.status).toBe('200');
    });

    it('executes a list route with limit, offset and done typed into their inputs', async () => {
      for (const title of ['first', 'second', 'third']) {
        await fetch(`${server.url}/todos`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${accessToken}`,
          },
          body: JSON.stringify({ title, done: title !== 'second' }),
        });
      }
      const list = 'operations-todos-TodosController_list';
      await page.locator(`[id="${list}"]`).waitFor();
      const result = await tryOperation(list, {
        limit: '1',
        offset: '1',
        done: 'true',
      });
      expect(result.status).toBe('200');
      // Newest first, done only, one after the first: "first".
      const todos = JSON.parse(result.body) as { title: string }[];
      expect(todos.map((todo) => todo.title)).toEqual(['first']);
    });

    it('signs a user in with "select all" scopes ticked, granting what the user may have', async () => {
      await page.reload();
      await page.locator('#operations-users-UsersController_me').waitFor();
      await openAuthorize();
      const modal = page.locator('.modal-ux');
      const logout = modal.locator('button', { hasText: 'Logout' });
      while ((await logout.count()) > 0) await logout.first().click();
      await page.locator('#oauth_username').fill('ui_user');
      await page.locator('#oauth_password').fill(PASSWORD);
      const oauth2 = modal
        .locator('.auth-container')
        .filter({ hasText: 'OAuth2, password' });
      await oauth2.locator('a', { hasText: 'select all' }).click();
      await oauth2.locator('button.authorize').click();
      await oauth2.locator('button', { hasText: 'Logout' }).waitFor();
      await closeAuthorize();
      const result = await tryUsersMe();
      expect(result.status).toBe('200');
    });

    /** A new account, signed up over the API: its username, password and access token. */
    async function newAccount(name: string) {
      const username = `${name}_${Date.now().toString(36)}`;
      const response = await fetch(`${server.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${username}@example.com`,
          username,
          password: PASSWORD,
        }),
      });
      const { access_token: accessToken } = (await response.json()) as {
        access_token: string;
      };
      return { username, password: PASSWORD, accessToken };
    }

    /**
     * Each way to sign in on the popup's page. A passkey is added on Warden's passkeys page in
     * the docs tab's virtual authenticator; the popup gets its own authenticator holding the
     * same credential (DevTools attaches authenticators to one page each).
     */
    const ways = {
      password: async () => ({
        who: { kind: 'password', ...(await newAccount('ui_pwd')) } as const,
      }),
      TOTP: async () => {
        const account = await newAccount('ui_totp');
        const secret = await enrolTotp(server.url, account);
        return { who: { kind: 'totp', ...account, secret } as const };
      },
      passkey: async (context: BrowserContext, docs: Page) => {
        const account = await newAccount('ui_passkey');
        const authenticator = await attachAuthenticator(context, docs);
        await addPasskeyOnAccountPage(
          docs,
          `http://localhost:${server.port}`,
          account,
        );
        return {
          who: { kind: 'passkey' } as const,
          inPopup: async (popup: Page) =>
            (await attachAuthenticator(context, popup)).add(
              await authenticator.credentials(),
            ),
        };
      },
    };

    it.each(Object.keys(ways) as (keyof typeof ways)[])(
      "signs a %s user in with the authorization code flow and PKCE on Warden's page in a popup, and gets 200 from GET /users/me",
      async (way) => {
        const context = await browser.newContext();
        const docs = await context.newPage();
        const { who, inPopup } = {
          inPopup: undefined,
          ...(await ways[way](context, docs)),
        };
        // PUBLIC_URL's origin (http://localhost:<port>): where the swagger-ui client's redirect
        // URI is, and so where the popup comes back to.
        await docs.goto(`http://localhost:${server.port}/docs`);
        await docs.locator('#operations-users-UsersController_me').waitFor();
        await docs.locator('button.authorize').first().click();
        const code = docs
          .locator('.modal-ux .auth-container')
          .filter({ hasText: 'OAuth2, authorizationCode' });
        await code.locator('a', { hasText: 'select all' }).click();
        const [popup] = await Promise.all([
          docs.waitForEvent('popup'),
          code.locator('button.authorize').click(),
        ]);
        await inPopup?.(popup);
        await signInOnHostedPage(popup, who);
        await code.locator('button', { hasText: 'Logout' }).waitFor();
        await docs.locator('.modal-ux button.btn-done').first().click();
        const operation = docs.locator(
          '[id="operations-users-UsersController_me"]',
        );
        if (!(await operation.locator('.opblock-body').isVisible()))
          await operation.locator('.opblock-summary').click();
        await operation.locator('button.try-out__btn').click();
        await operation.locator('button.execute').click();
        const row = operation
          .locator('.live-responses-table .response')
          .first();
        await row.waitFor();
        expect(
          (await row.locator('.response-col_status').textContent())?.trim(),
        ).toBe('200');
        expect(
          await operation
            .locator('.live-responses-table .microlight')
            .first()
            .textContent(),
        ).toContain(who.kind === 'passkey' ? 'ui_passkey' : who.username);
        await context.close();
      },
    );
  },
);
