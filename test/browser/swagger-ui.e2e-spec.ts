import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PASSWORD } from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import {
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `[warden] Swagger UI browser test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  );
}

/**
 * Swagger UI in a real browser: Authorize with the OAuth2 password flow, "Try it out" on
 * GET /users/me; then the same with a pasted bearer token; then a reload keeps the authorization.
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
        { DATABASE_URL: `sqlite:${join(dir, 'ui.sqlite')}` },
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
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
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

    /** Runs "Try it out" → "Execute" on GET /users/me and returns the status code shown. */
    async function tryUsersMe(): Promise<{ status: string; body: string }> {
      const operation = page.locator('#operations-users-UsersController_me');
      if (!(await operation.locator('.opblock-body').isVisible())) {
        await operation.locator('.opblock-summary').click();
      }
      const tryIt = operation.locator('button.try-out__btn');
      if ((await tryIt.textContent())?.includes('Try it out'))
        await tryIt.click();
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

    it('signs in through the OAuth2 password form and gets 200 from GET /users/me', async () => {
      await page.goto(`${server.url}/docs`);
      await page.locator('#operations-users-UsersController_me').waitFor();
      await openAuthorize();
      await page.locator('#oauth_username').fill('ui_user');
      await page.locator('#oauth_password').fill(PASSWORD);
      const oauth2 = page
        .locator('.modal-ux .auth-container')
        .filter({ hasText: 'oauth2' });
      await oauth2.locator('button.authorize').click();
      await oauth2.locator('button', { hasText: 'Logout' }).waitFor();
      await closeAuthorize();
      const result = await tryUsersMe();
      expect(result.status).toBe('200');
      expect(result.body).toContain('ui_user');
    });

    it('works with a pasted bearer token instead', async () => {
      await openAuthorize();
      await page
        .locator('.modal-ux')
        .locator('button', { hasText: 'Logout' })
        .click();
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
  },
);
