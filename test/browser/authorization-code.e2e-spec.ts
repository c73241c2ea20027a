import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, signUpVerified, type TestUser } from '../support/api.js';
import { registerClient } from '../support/authorization.js';
import {
  accessibilityViolations,
  chromiumAvailable,
  type ClientApp,
  launchChromium,
  startClientApp,
} from '../support/browser.js';
import { testDatabaseKind } from '../support/database.js';
import {
  addPasskeyOnAccountPage,
  attachAuthenticator,
  enrolTotp,
  signInOnHostedPage,
} from '../support/hosted-sign-in.js';
import { freePort } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const available = chromiumAvailable('Authorization code flow');

/**
 * The authorization code flow in real Chromium, typed and clicked on the hosted pages, with
 * openid-client 6 as the relying party (discovery, PKCE, state, nonce, ID token validation,
 * userinfo, refresh, end-session), for a password user and a TOTP user, and a third-party
 * client's consent. The client's redirect URIs are answered by the test (Playwright routes), so
 * the browser really follows Warden's redirects, under Warden's CSP, to another origin. axe-core
 * checks each hosted page.
 */
describe.skipIf(!available)(
  `Authorization code flow in Chromium (${testDatabaseKind()})`,
  () => {
    let t: TestApp;
    let origin: string;
    let browser: Browser;
    let user: TestUser;
    let firstParty: client.Configuration;
    let thirdParty: client.Configuration;
    const axeViolations: string[] = [];
    /** The client's side: a loopback server (RFC 8252 §7.3) that records where browsers land. */
    let app: ClientApp;
    let appOrigin: string;
    let signedOutUri: string;

    beforeAll(async () => {
      const port = await freePort();
      origin = `http://localhost:${port}`;
      t = await startTestApp({ PUBLIC_URL: origin });
      await t.app.listen({ port, host: '127.0.0.1' });
      app = await startClientApp();
      appOrigin = app.origin;
      signedOutUri = `${appOrigin}/signed-out`;
      user = await signUpVerified(t);
      const discover = async (fields: Record<string, unknown>) =>
        client.discovery(
          new URL(origin),
          (
            await registerClient(t, {
              // Registered without a port: any port matches a loopback IP (RFC 8252 §7.3).
              redirect_uris: ['http://127.0.0.1/callback'],
              ...fields,
            })
          ).clientId,
          undefined,
          client.None(),
          { execute: [client.allowInsecureRequests] },
        );
      firstParty = await discover({
        post_logout_redirect_uris: [signedOutUri],
      });
      thirdParty = await discover({
        first_party: false,
        client_name: 'Acme Notes',
      });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await t?.close();
    });

    /** A fresh browser profile (no cookies). */
    async function browserProfile(): Promise<{
      context: BrowserContext;
      page: Page;
      arrived: () => Promise<URL>;
    }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      return { context, page, arrived: () => app.arrivedAt(page) };
    }

    async function checkAccessibility(page: Page, name: string): Promise<void> {
      axeViolations.push(...(await accessibilityViolations(page, name)));
    }

    async function start(
      page: Page,
      config: client.Configuration,
      scope: string,
    ) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        // Any port for a loopback redirect URI (RFC 8252 §7.3): the one the app listens on.
        redirect_uri: `${appOrigin}/callback`,
        scope,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      await page.goto(url.href);
      return { verifier, state, nonce };
    }

    it('signs a password user in by typing and clicking; openid-client validates the ID token, reads userinfo, refreshes and signs out', async () => {
      const { page, arrived, context } = await browserProfile();
      const pending = await start(
        page,
        firstParty,
        'openid profile email todos:read',
      );
      await checkAccessibility(page, 'sign-in');
      await signInOnHostedPage(page, { kind: 'password', ...user });
      const back = await arrived();
      const tokens = await client.authorizationCodeGrant(firstParty, back, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      expect(tokens.claims()).toMatchObject({
        sub: user.id,
        preferred_username: user.username,
        amr: ['pwd'],
      });
      expect(
        await client.fetchUserInfo(firstParty, tokens.access_token, user.id),
      ).toMatchObject({ email: user.email });
      const refreshed = await client.refreshTokenGrant(
        firstParty,
        tokens.refresh_token as string,
      );

      // The browser is signed in: the next request comes straight back.
      const again = await start(page, firstParty, 'openid');
      const second = await client.authorizationCodeGrant(
        firstParty,
        await arrived(),
        {
          pkceCodeVerifier: again.verifier,
          expectedState: again.state,
          expectedNonce: again.nonce,
        },
      );
      expect(second.claims()?.sid).toBe(tokens.claims()?.sid);

      await page.goto(
        client.buildEndSessionUrl(firstParty, {
          id_token_hint: tokens.id_token as string,
          post_logout_redirect_uri: signedOutUri,
          state: 'bye',
        }).href,
      );
      expect((await arrived()).href).toBe(`${signedOutUri}?state=bye`);
      for (const accessToken of [refreshed.access_token, second.access_token])
        await request(t.server)
          .get('/todos')
          .set(bearer(accessToken))
          .expect(401);
      expect(
        (await context.cookies()).some(
          (cookie) => cookie.name === '__Host-warden',
        ),
      ).toBe(false);
      await context.close();
    });

    it('asks a TOTP user for the code on the next page', async () => {
      const account = await signUpVerified(t);
      const secret = await enrolTotp(origin, account);
      const { page, arrived, context } = await browserProfile();
      const pending = await start(page, firstParty, 'openid');
      await signInOnHostedPage(page, { kind: 'totp', ...account, secret }, () =>
        checkAccessibility(page, 'second factor'),
      );
      const tokens = await client.authorizationCodeGrant(
        firstParty,
        await arrived(),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        },
      );
      expect(tokens.claims()).toMatchObject({
        sub: account.id,
        amr: ['pwd', 'otp', 'mfa'],
        acr: 'urn:warden:acr:mfa',
      });
      await context.close();
    });

    it('signs a passkey user in with the button on the sign-in page (virtual authenticator)', async () => {
      const account = await signUpVerified(t);
      const { page, arrived, context } = await browserProfile();
      await attachAuthenticator(context, page);
      // The passkey is added on Warden's own passkeys page, as a user would.
      await addPasskeyOnAccountPage(page, origin, account);

      const pending = await start(page, firstParty, 'openid');
      await signInOnHostedPage(page, { kind: 'passkey' });
      const tokens = await client.authorizationCodeGrant(
        firstParty,
        await arrived(),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        },
      );
      expect(tokens.claims()).toMatchObject({
        sub: account.id,
        amr: ['hwk'],
        acr: 'urn:warden:acr:mfa',
      });
      await context.close();
    });

    it("offers the passkey in the username field's autofill (conditional mediation), asked for only once the field has focus", async () => {
      const account = await signUpVerified(t);
      const { page, arrived, context } = await browserProfile();
      await attachAuthenticator(context, page);
      await addPasskeyOnAccountPage(page, origin, account);
      const optionsRequests: string[] = [];
      page.on('request', (sent) => {
        if (sent.url().endsWith('/auth/passkeys/login/options'))
          optionsRequests.push(sent.url());
      });
      const pending = await start(page, firstParty, 'openid');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.waitForLoadState('load');
      // Viewing the page asks for no challenge (and spends none of the per-IP budget).
      expect(optionsRequests).toEqual([]);
      // The virtual authenticator answers a conditional request at once, as a user picking
      // the passkey from the field's suggestions would.
      await page.getByLabel('Username or email').click();
      const tokens = await client.authorizationCodeGrant(
        firstParty,
        await arrived(),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        },
      );
      expect(optionsRequests).toHaveLength(1);
      expect(tokens.claims()).toMatchObject({ sub: account.id, amr: ['hwk'] });
      await context.close();
    });

    it("shows a third-party client's consent page; Allow returns a code, and the page is accessible", async () => {
      const { page, arrived, context } = await browserProfile();
      const pending = await start(page, thirdParty, 'openid email todos:read');
      await signInOnHostedPage(page, { kind: 'password', ...user });
      await page.getByRole('heading', { name: 'Allow Acme Notes?' }).waitFor();
      await checkAccessibility(page, 'consent');
      await page.getByRole('button', { name: 'Allow' }).click();
      const tokens = await client.authorizationCodeGrant(
        thirdParty,
        await arrived(),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        },
      );
      expect(tokens.scope).toBe('todos:read openid email');

      // The sign-out confirmation, asked without a hint, is a page too.
      await page.goto(`${origin}/oauth/logout`);
      await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
      await checkAccessibility(page, 'sign-out');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await checkAccessibility(page, 'signed out');
      // A request that cannot be redirected (an unknown client) is a page too.
      await page.goto(`${origin}/oauth/authorize?client_id=nobody`);
      await page
        .getByRole('heading', { name: 'This sign-in link is not valid' })
        .waitFor();
      await checkAccessibility(page, 'error');
      await request(t.server)
        .get('/todos')
        .set(bearer(tokens.access_token))
        .expect(401);
      await context.close();
    });

    it('axe-core finds no violations on any hosted page', () => {
      expect(axeViolations).toEqual([]);
    });
  },
);
