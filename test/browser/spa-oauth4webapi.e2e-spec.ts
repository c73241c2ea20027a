import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, signUpVerified } from '../support/api.js';
import { registerClient } from '../support/authorization.js';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import { testDatabaseKind } from '../support/database.js';
import {
  addPasskeyOnAccountPage,
  attachAuthenticator,
  enrolTotp,
  signInOnHostedPage,
} from '../support/hosted-sign-in.js';
import { freePort } from '../support/server-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const available = chromiumAvailable('Single-page app with oauth4webapi');

/** oauth4webapi's browser build (ES module, no dependencies), served by the app's own origin. */
const OAUTH4WEBAPI = readFileSync(
  createRequire(import.meta.url).resolve('oauth4webapi'),
  'utf8',
);

/**
 * The single-page app: unmodified oauth4webapi, on its own origin, talks to Warden with fetch
 * only (so every call is a cross-origin request): discovery, the authorization redirect with
 * PKCE, state and nonce, the code exchange (which validates the ID token's claims), the JWKS,
 * userinfo and revocation. It writes what it got into the page.
 */
const appScript = (issuer: string, clientId: string) => `
import * as oauth from '/oauth4webapi.js';
const insecure = { [oauth.allowInsecureRequests]: true };
const issuer = new URL(${JSON.stringify(issuer)});
const client = { client_id: ${JSON.stringify(clientId)} };
const redirectUri = location.origin + '/callback';
const show = (value) => { document.getElementById('result').textContent = JSON.stringify(value); };
try {
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  if (location.pathname !== '/callback') {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    sessionStorage.setItem('pending', JSON.stringify({ verifier, state, nonce }));
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({ client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code',
      scope: 'openid email todos:read', code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256', state, nonce }).toString();
    location.assign(url);
  } else {
    const { verifier, state, nonce } = JSON.parse(sessionStorage.getItem('pending'));
    const params = oauth.validateAuthResponse(as, client, new URL(location.href), state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    const kid = JSON.parse(atob(tokens.id_token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).kid;
    const jwks = await (await fetch(as.jwks_uri)).json();
    const info = await oauth.processUserInfoResponse(as, client, claims.sub,
      await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
    const accessToken = tokens.access_token;
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token, insecure));
    show({ sub: claims.sub, email: info.email, keyPublished: jwks.keys.some((key) => key.kid === kid), accessToken });
  }
} catch (error) {
  show({ error: String(error), cause: String(error.cause ?? '') });
}
`;

describe.skipIf(!available)(
  `A single-page app with oauth4webapi on another origin, in Chromium (${testDatabaseKind()})`,
  () => {
    let t: TestApp;
    let issuer: string;
    let spa: Server;
    let spaOrigin: string;
    let browser: Browser;

    beforeAll(async () => {
      const port = await freePort();
      issuer = `http://localhost:${port}`;
      t = await startTestApp({ PUBLIC_URL: issuer });
      await t.app.listen({ port, host: '127.0.0.1' });
      const spaPort = await freePort();
      spaOrigin = `http://127.0.0.1:${spaPort}`;
      const { clientId } = await registerClient(t, {
        client_name: 'Notes SPA',
        redirect_uris: [`${spaOrigin}/callback`],
      });
      const script = appScript(issuer, clientId);
      spa = createServer((incoming, outgoing) => {
        const path = (incoming.url ?? '/').split('?', 1)[0];
        if (path === '/oauth4webapi.js' || path === '/app.js') {
          outgoing.writeHead(200, { 'content-type': 'text/javascript' });
          outgoing.end(path === '/app.js' ? script : OAUTH4WEBAPI);
          return;
        }
        outgoing.writeHead(200, { 'content-type': 'text/html' });
        outgoing.end(
          '<!doctype html><title>Notes</title><script type="module" src="/app.js"></script><pre id="result"></pre>',
        );
      });
      await new Promise<void>((resolve) =>
        spa.listen(spaPort, '127.0.0.1', resolve),
      );
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => spa?.close(resolve));
      await t?.close();
    });

    /** The account to sign in with each way, and what it takes in the browser. */
    const ways = {
      password: async () => {
        const account = await signUpVerified(t);
        return { account, who: { kind: 'password', ...account } as const };
      },
      TOTP: async () => {
        const account = await signUpVerified(t);
        const secret = await enrolTotp(issuer, account);
        return {
          account,
          who: { kind: 'totp', ...account, secret } as const,
        };
      },
      passkey: async (context: BrowserContext, page: Page) => {
        const account = await signUpVerified(t);
        await attachAuthenticator(context, page);
        await addPasskeyOnAccountPage(page, issuer, account);
        return { account, who: { kind: 'passkey' } as const };
      },
    };

    it.each(Object.keys(ways) as (keyof typeof ways)[])(
      'signs a %s user in through the hosted page and uses discovery, token, JWKS, userinfo and revocation across origins',
      async (way) => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const { account, who } = await ways[way](context, page);
        await page.goto(`${spaOrigin}/`);
        await signInOnHostedPage(page, who);
        await page.waitForURL(`${spaOrigin}/callback**`);
        const result = page.locator('#result');
        await page.waitForFunction(
          () => document.getElementById('result')?.textContent !== '',
        );
        const outcome = JSON.parse(await result.innerText()) as {
          sub?: string;
          email?: string;
          keyPublished?: boolean;
          accessToken?: string;
          error?: string;
          cause?: string;
        };
        expect(outcome).toMatchObject({
          sub: account.id,
          email: account.email,
          keyPublished: true,
        });
        // Revoking the refresh token ended the session: its access token is refused.
        await request(t.server)
          .get('/todos')
          .set(bearer(outcome.accessToken as string))
          .expect(401);
        await context.close();
      },
    );
  },
);
