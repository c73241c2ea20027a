import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { signUpVerified } from '../support/api.js';
import { registerClient } from '../support/authorization.js';
import {
  accessibilityViolations,
  chromiumAvailable,
  type ClientApp,
  launchChromium,
  startClientApp,
} from '../support/browser.js';
import { testDatabaseKind } from '../support/database.js';
import { mailInOutbox } from '../support/mailbox.js';
import { accountLink } from '../support/smtp.js';
import { freePort } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const available = chromiumAvailable('Hosted signup and password reset');

const PASSWORD = 'a long enough new passphrase';

/**
 * Signup and forgot-password from the hosted sign-in page in real Chromium, under
 * EMAIL_VERIFICATION=required: each mails a link whose page, once used, takes the browser back to
 * the authorization request, where the account signs in and openid-client gets its tokens. Every
 * step is typed and clicked; the mail is read from the server's outbox.
 */
describe.skipIf(!available)(
  `Hosted signup and password reset in Chromium (${testDatabaseKind()})`,
  () => {
    let t: TestApp;
    let origin: string;
    let browser: Browser;
    let app: ClientApp;
    let rp: client.Configuration;
    const axeViolations: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      origin = `http://localhost:${port}`;
      t = await startTestApp({
        PUBLIC_URL: origin,
        EMAIL_VERIFICATION: 'required',
      });
      await t.app.listen({ port, host: '127.0.0.1' });
      app = await startClientApp();
      rp = await client.discovery(
        new URL(origin),
        (
          await registerClient(t, {
            redirect_uris: ['http://127.0.0.1/callback'],
          })
        ).clientId,
        undefined,
        client.None(),
        { execute: [client.allowInsecureRequests] },
      );
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await t?.close();
    });

    async function start(page: Page) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: `${app.origin}/callback`,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      await page.goto(url.href);
      return async () =>
        client.authorizationCodeGrant(rp, await app.arrivedAt(page), {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
        });
    }

    /** The resumed sign-in page, with the address filled in from login_hint. */
    async function signInAgain(page: Page, email: string, password: string) {
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.getByLabel('Username or email').inputValue()).toBe(
        email,
      );
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    }

    it('creates an account, proves the address with the mailed link, and comes back to sign in', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const finish = await start(page);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      axeViolations.push(...(await accessibilityViolations(page, 'sign-up')));
      const email = `chromium-${Date.now()}@example.com`;
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
      axeViolations.push(
        ...(await accessibilityViolations(page, 'check your mail')),
      );

      const link = accountLink(
        await mailInOutbox(t.mailDirectory, email, /Confirm your email/),
      );
      await page.goto(link.href);
      await page.getByLabel('The password of the account').fill(PASSWORD);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await signInAgain(page, email, PASSWORD);
      const tokens = await finish();
      expect(tokens.claims()).toMatchObject({ email, email_verified: true });
      await context.close();
    });

    it('resets a forgotten password with the mailed link, and comes back to sign in with the new one', async () => {
      const account = await signUpVerified(t);
      const context = await browser.newContext();
      const page = await context.newPage();
      const finish = await start(page);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page
        .getByRole('heading', { name: 'Reset your password' })
        .waitFor();
      axeViolations.push(
        ...(await accessibilityViolations(page, 'forgot password')),
      );
      await page.getByLabel('Email').fill(account.email);
      await page.getByRole('button', { name: 'Mail me a link' }).click();
      await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

      const link = accountLink(
        await mailInOutbox(t.mailDirectory, account.email, /Reset your/),
      );
      await page.goto(link.href);
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set the password' }).click();
      await signInAgain(page, account.email, PASSWORD);
      expect((await finish()).claims()?.sub).toBe(account.id);
      await context.close();
    });

    it('axe-core finds no violations on these pages', () => {
      expect(axeViolations).toEqual([]);
    });
  },
);
