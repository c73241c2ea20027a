import * as client from 'openid-client';
import request from 'supertest';
import { bearer, signUpVerified, type TestUser } from './support/api.js';
import { REDIRECT, registerClient } from './support/authorization.js';
import { BrowserAgent } from './support/browser-agent.js';
import { testDatabaseKind } from './support/database.js';
import { decodeClaims } from './support/jwt.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * OpenID Connect with a standard relying party nobody here wrote: openid-client 6 discovers
 * Warden, builds the authorization URL (PKCE, state, nonce), and after the sign-in on the hosted
 * page redeems the code, validating the ID token (signature from the JWKS, iss, aud, exp, nonce),
 * the RFC 9207 `iss`, then reads /userinfo and refreshes. The browser here is HTTP-level; the
 * browser suites type and click in Chromium.
 */
describe.each([
  ['HS256 access tokens', { JWT_ALGORITHM: 'HS256' }],
  // Production's default: access tokens signed with the ID-token key itself, told apart by typ.
  [
    'RS256 access tokens signed with the ID-token key',
    { JWT_ALGORITHM: 'RS256' },
  ],
])(
  `OpenID Connect with openid-client (${testDatabaseKind()}), %s`,
  (_, keys) => {
    let t: TestApp;
    let user: TestUser;
    let issuer: URL;
    let config: client.Configuration;
    let clientId: string;
    beforeAll(async () => {
      const port = await freePort();
      t = await startTestApp({
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...keys,
      });
      await t.app.listen({ port, host: '127.0.0.1' });
      issuer = new URL(`http://127.0.0.1:${port}`);
      user = await signUpVerified(t);
      ({ clientId } = await registerClient(t));
      config = await client.discovery(
        issuer,
        clientId,
        undefined,
        client.None(),
        {
          execute: [client.allowInsecureRequests],
        },
      );
    });
    afterAll(() => t.close());

    /** Signs `user` in on the hosted page for `url`; the URL the client is sent back to. */
    async function signIn(
      url: URL,
      browser = new BrowserAgent(t),
    ): Promise<URL> {
      let response = await browser.get(`${url.pathname}${url.search}`);
      if (response.status === 200)
        response = await browser.follow(
          await browser.submit(response, {
            username: user.username,
            password: user.password,
          }),
        );
      expect(response.status).toBe(303);
      return new URL(response.headers.location);
    }

    async function codeFlow(scope: string, browser?: BrowserAgent) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const back = await signIn(url, browser);
      const tokens = await client.authorizationCodeGrant(config, back, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      return { tokens, nonce };
    }

    it('discovers the provider: OpenID and RFC 8414 documents agree, and name what is supported', async () => {
      const metadata = config.serverMetadata();
      expect(metadata).toMatchObject({
        issuer: issuer.origin,
        authorization_endpoint: `${issuer.origin}/oauth/authorize`,
        userinfo_endpoint: `${issuer.origin}/userinfo`,
        jwks_uri: `${issuer.origin}/.well-known/jwks.json`,
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        acr_values_supported: ['urn:warden:acr:pwd', 'urn:warden:acr:mfa'],
      });
      expect(metadata).not.toHaveProperty(
        'pushed_authorization_request_endpoint',
      );
      const oauth = await request(t.server)
        .get('/.well-known/oauth-authorization-server')
        .expect(200);
      for (const [name, value] of Object.entries(oauth.body))
        expect(metadata[name]).toEqual(value);
    });

    it('signs in with the code flow: a valid ID token with the nonce, sid, acr, amr and at_hash; userinfo; refresh', async () => {
      const { tokens, nonce } = await codeFlow(
        'openid profile email todos:read',
      );
      const claims = tokens.claims();
      expect(claims).toMatchObject({
        iss: issuer.origin,
        sub: user.id,
        aud: clientId,
        nonce,
        acr: 'urn:warden:acr:pwd',
        amr: ['pwd'],
        preferred_username: user.username,
        email: user.email,
        email_verified: true,
      });
      expect(typeof claims?.at_hash).toBe('string');
      expect(typeof claims?.auth_time).toBe('number');
      // sid names the browser session, which the access token's own session is a child of.
      const sessions = await request(t.server)
        .get('/auth/sessions')
        .set(bearer(user.accessToken))
        .expect(200);
      const browserSession = (
        sessions.body as { id: string; kind: string }[]
      ).find((session) => session.id === claims?.sid);
      expect(browserSession?.kind).toBe('browser');
      expect(decodeClaims(tokens.access_token).sid).not.toBe(claims?.sid);

      const info = await client.fetchUserInfo(
        config,
        tokens.access_token,
        user.id,
      );
      expect(info).toMatchObject({
        sub: user.id,
        preferred_username: user.username,
        email: user.email,
        email_verified: true,
      });

      const refreshed = await client.refreshTokenGrant(
        config,
        tokens.refresh_token as string,
      );
      expect(refreshed.claims()?.sub).toBe(user.id);
      expect(refreshed.claims()?.nonce).toBeUndefined();
    });

    it('releases only what the claim scopes allow', async () => {
      const { tokens } = await codeFlow('openid');
      expect(tokens.claims()).not.toHaveProperty('email');
      expect(tokens.claims()).not.toHaveProperty('preferred_username');
      const info = await request(t.server)
        .get('/userinfo')
        .set(bearer(tokens.access_token))
        .expect(200);
      expect(info.body).toEqual({ sub: user.id });
      const post = await request(t.server)
        .post('/userinfo')
        .set(bearer(tokens.access_token))
        .expect(200);
      expect(post.body).toEqual({ sub: user.id });
    });

    it('refuses /userinfo to a token without openid, and an ID token as a bearer token', async () => {
      const { tokens } = await codeFlow('openid todos:read');
      const noOpenId = await request(t.server)
        .get('/userinfo')
        .set(bearer(user.accessToken))
        .expect(403);
      expect(noOpenId.headers['www-authenticate']).toContain(
        'error="insufficient_scope"',
      );
      for (const path of ['/userinfo', '/todos'])
        await request(t.server)
          .get(path)
          .set(bearer(tokens.id_token as string))
          .expect(401);
    });

    it('says email_verified false for an address not proven yet', async () => {
      const { signUp } = await import('./support/api.js');
      const unverified = await signUp(t);
      const saved = user;
      user = unverified;
      try {
        const { tokens } = await codeFlow('openid email');
        expect(tokens.claims()).toMatchObject({
          email: unverified.email,
          email_verified: false,
        });
      } finally {
        user = saved;
      }
    });

    it('signs ID tokens ES256 for a client registered with id_token_signed_response_alg ES256, at the code grant and on refresh; openid-client verifies them', async () => {
      const registered = await registerClient(t, {
        id_token_signed_response_alg: 'ES256',
      });
      const saved = config;
      config = await client.discovery(
        issuer,
        registered.clientId,
        { id_token_signed_response_alg: 'ES256' },
        client.None(),
        { execute: [client.allowInsecureRequests] },
      );
      try {
        const browser = new BrowserAgent(t);
        const { tokens } = await codeFlow('openid', browser);
        const header = (token: string) =>
          JSON.parse(
            Buffer.from(token.split('.')[0], 'base64url').toString(),
          ) as { alg: string; kid: string };
        expect(header(tokens.id_token as string).alg).toBe('ES256');
        expect(tokens.claims()?.aud).toBe(registered.clientId);
        const refreshed = await client.refreshTokenGrant(
          config,
          tokens.refresh_token as string,
        );
        expect(header(refreshed.id_token as string).alg).toBe('ES256');
        const jwks = await request(t.server)
          .get('/.well-known/jwks.json')
          .expect(200);
        expect(
          (jwks.body.keys as { kid: string; alg: string }[]).find(
            (key) => key.kid === header(tokens.id_token as string).kid,
          )?.alg,
        ).toBe('ES256');
        // An ES256 ID token names its session as id_token_hint too: the sign-out needs no page.
        const signedOut = await browser.get(
          `/oauth/logout?id_token_hint=${refreshed.id_token as string}`,
        );
        expect(signedOut.status).toBe(200);
        expect(signedOut.text).toContain('You are signed out');
        await request(t.server)
          .get('/todos')
          .set(bearer(refreshed.access_token))
          .expect(401);
      } finally {
        config = saved;
      }
      // Every other client keeps RS256.
      const { tokens } = await codeFlow('openid');
      expect(
        JSON.parse(
          Buffer.from(
            (tokens.id_token as string).split('.')[0],
            'base64url',
          ).toString(),
        ).alg,
      ).toBe('RS256');
    });

    it('publishes the ID-token keys in the JWKS (in HS256 mode too), once each', async () => {
      const jwks = await request(t.server)
        .get('/.well-known/jwks.json')
        .expect(200);
      const { tokens } = await codeFlow('openid');
      const kid = JSON.parse(
        Buffer.from(
          (tokens.id_token as string).split('.')[0],
          'base64url',
        ).toString(),
      ).kid as string;
      expect(jwks.body.keys).toEqual([
        expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid }),
        expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' }),
      ]);
      // With the shared key, the access token names the same kid; in HS256 mode it has none.
      expect(
        JSON.parse(
          Buffer.from(
            tokens.access_token.split('.')[0],
            'base64url',
          ).toString(),
        ).kid,
      ).toBe(keys.JWT_ALGORITHM === 'RS256' ? kid : undefined);
    });

    describe('RP-initiated logout', () => {
      const SIGNED_OUT = 'https://app.example.com/signed-out';
      let logoutConfig: client.Configuration;
      beforeAll(async () => {
        const registered = await registerClient(t, {
          post_logout_redirect_uris: [SIGNED_OUT],
        });
        logoutConfig = await client.discovery(
          issuer,
          registered.clientId,
          undefined,
          client.None(),
          { execute: [client.allowInsecureRequests] },
        );
      });

      async function signedIn() {
        const saved = config;
        config = logoutConfig;
        try {
          const browser = new BrowserAgent(t);
          const { tokens } = await codeFlow('openid todos:read', browser);
          return { browser, tokens };
        } finally {
          config = saved;
        }
      }

      it('with the ID token as hint: ends the browser session and its client sessions at once, and goes back with state', async () => {
        const { browser, tokens } = await signedIn();
        const url = client.buildEndSessionUrl(logoutConfig, {
          id_token_hint: tokens.id_token as string,
          post_logout_redirect_uri: SIGNED_OUT,
          state: 'bye',
        });
        const response = await browser.get(`${url.pathname}${url.search}`);
        expect(response.status).toBe(303);
        expect(response.headers.location).toBe(`${SIGNED_OUT}?state=bye`);
        expect(browser.cookies.has('__Host-warden')).toBe(false);
        await request(t.server)
          .get('/todos')
          .set(bearer(tokens.access_token))
          .expect(401);
        const next = client.buildAuthorizationUrl(logoutConfig, {
          redirect_uri: REDIRECT,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(
            client.randomPKCECodeVerifier(),
          ),
          code_challenge_method: 'S256',
        });
        // Signed out: the next sign-in shows the page again.
        const again = await browser.get(`${next.pathname}${next.search}`);
        expect(again.status).toBe(200);
      });

      it('without a hint, or with an access token as hint, asks first: a link alone signs no one out', async () => {
        const { browser, tokens } = await signedIn();
        for (const hint of [undefined, tokens.access_token]) {
          const query = new URLSearchParams({
            client_id: logoutConfig.clientMetadata().client_id,
            post_logout_redirect_uri: SIGNED_OUT,
          });
          if (hint) query.set('id_token_hint', hint);
          const page = await browser.get(`/oauth/logout?${query.toString()}`);
          expect(page.status).toBe(200);
          expect(page.text).toContain('Sign out?');
          await request(t.server)
            .get('/todos')
            .set(bearer(tokens.access_token))
            .expect(200);
        }
        const page = await browser.get(
          `/oauth/logout?client_id=${logoutConfig.clientMetadata().client_id}&post_logout_redirect_uri=${encodeURIComponent(SIGNED_OUT)}`,
        );
        const confirmed = await browser.submit(page, {});
        expect(confirmed.status).toBe(303);
        expect(confirmed.headers.location).toBe(SIGNED_OUT);
        await request(t.server)
          .get('/todos')
          .set(bearer(tokens.access_token))
          .expect(401);
      });

      it.each([
        ['an unregistered URI', 'https://evil.test/'],
        ['a registered one with more path', `${SIGNED_OUT}/x`],
        ['the sign-in redirect URI', REDIRECT],
      ])(
        'never redirects to %s: an error page, and nothing ends',
        async (_, target) => {
          const { browser, tokens } = await signedIn();
          const response = await browser.get(
            `/oauth/logout?${new URLSearchParams({
              id_token_hint: tokens.id_token as string,
              post_logout_redirect_uri: target,
            }).toString()}`,
          );
          expect(response.status).toBe(400);
          expect(response.headers.location).toBeUndefined();
          await request(t.server)
            .get('/todos')
            .set(bearer(tokens.access_token))
            .expect(200);
        },
      );

      it('refuses the confirmation without its CSRF token', async () => {
        const { browser, tokens } = await signedIn();
        const response = await browser.post('/oauth/logout/confirm', {
          request: '',
        });
        expect(response.status).toBe(403);
        await request(t.server)
          .get('/todos')
          .set(bearer(tokens.access_token))
          .expect(200);
      });
    });
  },
);
