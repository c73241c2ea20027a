import { join } from 'node:path';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD } from '../support/api.js';
import { mailInOutbox } from '../support/mailbox.js';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import { testDatabaseKind } from '../support/database.js';
import {
  postJson,
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

const available = chromiumAvailable('Account pages');
const NEW_PASSWORD = 'a brand new passphrase 2026';

/**
 * The development set-up end to end, in a real browser: no SMTP relay, so mail lands as .eml
 * files in MAIL_OUTBOX_DIR; the links in them open Warden's own pages, which a person clicks.
 */
describe.skipIf(!available || testDatabaseKind() === 'postgres')(
  'Account pages in Chromium',
  () => {
    let server: ServerProcess;
    let browser: Browser;
    let page: Page;
    let outbox: string;
    const seen = new Set<string>();

    beforeAll(async () => {
      const dir = scratchDirectory();
      outbox = join(dir, 'outbox');
      server = await startServer(
        {
          DATABASE_URL: `sqlite:${join(dir, 'pages.sqlite')}`,
          MAIL_OUTBOX_DIR: outbox,
        },
        dir,
      );
      browser = await launchChromium();
      page = await browser.newPage();
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    /** The link of the next new .eml file whose subject matches, on this server's origin. */
    async function nextLink(subject: RegExp): Promise<URL> {
      const mail = await mailInOutbox(outbox, null, subject, seen);
      const link = /https?:\/\/\S+token=\S+/.exec(mail.text ?? '')?.[0];
      if (!link) throw new Error(`no link in the mail "${mail.subject}"`);
      const url = new URL(link);
      const origin = new URL(server.url);
      url.protocol = origin.protocol;
      url.host = origin.host;
      return url;
    }

    const post = (path: string, body: unknown, token?: string) =>
      postJson(server, path, body, token);

    it('verifies the address from the mailed link with one click, and takes the token out of the address bar', async () => {
      const signup = await post('/auth/signup', {
        email: 'pages@example.com',
        password: PASSWORD,
      });
      expect(signup.status).toBe(201);
      const { access_token } = (await signup.json()) as {
        access_token: string;
      };
      const link = await nextLink(/Confirm your email/);
      expect(link.pathname).toBe('/account/verify-email');

      const response = await page.goto(link.toString());
      expect(response?.headers()['content-security-policy']).toContain(
        "script-src 'self'",
      );
      expect(response?.headers()['referrer-policy']).toBe('no-referrer');
      await page.getByRole('button', { name: 'Confirm my address' }).waitFor();
      expect(page.url()).not.toContain('token=');
      // Opening the link spends nothing (a mail scanner may fetch it); the click does.
      const before = await fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(
        ((await before.json()) as { emailVerified: boolean }).emailVerified,
      ).toBe(false);
      // The page asks for the account's password, and offers a reset to whoever does not know
      // it (someone else created the account with their address).
      expect(
        await page.getByRole('link', { name: /Reset its password/ }).count(),
      ).toBe(1);
      const password = page.getByLabel('The password of the account');
      await password.fill('not the password at all');
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await page.getByText(/password is incorrect/).waitFor();
      await password.fill(PASSWORD);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await page.getByText('Done. You can close this page.').waitFor();
      const after = await fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(
        ((await after.json()) as { emailVerified: boolean }).emailVerified,
      ).toBe(true);

      // The same link again: the API's message, shown on the page.
      await page.goto(link.toString());
      await page.getByLabel('The password of the account').fill(PASSWORD);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await page.getByText(/invalid or has expired/).waitFor();
    });

    it('resets the password from the mailed link', async () => {
      expect(
        (await post('/auth/password/forgot', { email: 'pages@example.com' }))
          .status,
      ).toBe(202);
      const link = await nextLink(/Reset your/);
      await page.goto(link.toString());
      // The policy's message comes back from the API, and the link stays usable.
      await page.getByLabel('New password').fill('password');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page
        .getByText(/common|password/i)
        .last()
        .waitFor();
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByText('Done. You can close this page.').waitFor();
      const login = await post('/auth/login', {
        username: 'pages@example.com',
        password: NEW_PASSWORD,
      });
      expect(login.status).toBe(200);
    });

    it('removes an authenticator someone else added, from the "this was not me" link, and signs out everywhere', async () => {
      const login = await post('/auth/login', {
        username: 'pages@example.com',
        password: NEW_PASSWORD,
      });
      const { access_token } = (await login.json()) as { access_token: string };
      const begin = await post(
        '/auth/mfa/totp',
        { password: NEW_PASSWORD },
        access_token,
      );
      const { secret } = (await begin.json()) as { secret: string };
      expect(
        (
          await post(
            '/auth/mfa/totp/confirm',
            { code: await generate({ secret }) },
            access_token,
          )
        ).status,
      ).toBe(200);
      const link = await nextLink(/Two-step sign-in is on/);
      expect(link.pathname).toBe('/account/remove-sign-in-method');
      await page.goto(link.toString());
      expect(page.url()).not.toContain('token=');
      await page
        .getByRole('button', { name: 'Remove it and sign out everywhere' })
        .click();
      await page.getByText('Done. You can close this page.').waitFor();
      const me = await fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(me.status).toBe(401);
      // The password alone signs in again: the authenticator is gone.
      expect(
        (
          await post('/auth/login', {
            username: 'pages@example.com',
            password: NEW_PASSWORD,
          })
        ).status,
      ).toBe(200);
    });

    it('mails a reset link from the forgot-password page', async () => {
      await page.goto(`${server.url}/account/forgot-password`);
      await page.getByLabel('Email address').fill('pages@example.com');
      await page.getByRole('button', { name: 'Mail me a reset link' }).click();
      await page.getByText(/a link is on its way/).waitFor();
      const link = await nextLink(/Reset your/);
      expect(link.pathname).toBe('/account/reset-password');
    });

    it('answers an unknown page with 404', async () => {
      expect((await fetch(`${server.url}/account/nothing-here`)).status).toBe(
        404,
      );
    });
  },
);
