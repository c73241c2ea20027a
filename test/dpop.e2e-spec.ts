import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
} from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import request from 'supertest';
import {
  bearer,
  expectError,
  signUpVerified,
  tokenRequest,
  type TestUser,
} from './support/api.js';
import { REDIRECT, registerClient } from './support/authorization.js';
import { BrowserAgent } from './support/browser-agent.js';
import { testDatabaseKind } from './support/database.js';
import { decodeClaims } from './support/jwt.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A DPoP key pair as a client holds it: the private key, and the public one as a JWK. */
interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function dpopKey(): Promise<DpopKey> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return {
    privateKey: pair.privateKey,
    publicJwk: await exportJWK(pair.publicKey),
  };
}

const ath = (token: string) =>
  createHash('sha256').update(token).digest('base64url');

/**
 * DPoP (RFC 9449) through openid-client's and oauth4webapi's DPoP handles, unmodified: the
 * authorization code, refresh and client credentials grants, and protected resource calls; then
 * every way a proof can be wrong, sent by hand.
 */
describe(`DPoP: sender-constrained tokens (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let issuer: URL;
  let user: TestUser;
  let publicClientId: string;
  let service: { clientId: string; secret: string };

  /** A proof as a client makes it, with `claims` and `header` changed. */
  const proof = (
    key: DpopKey,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    signingKey: CryptoKey | Uint8Array = key.privateKey,
  ) =>
    new SignJWT({
      htm: 'GET',
      htu: `${issuer.origin}/users/me`,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'dpop+jwt',
        jwk: key.publicJwk,
        ...header,
      })
      .sign(signingKey);

  /** A DPoP-bound access token of `user` (password grant with a proof), and its key. */
  async function boundUserToken(): Promise<{ token: string; key: DpopKey }> {
    const key = await dpopKey();
    const granted = await tokenRequest(t, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
    })
      .set(
        'DPoP',
        await proof(key, { htm: 'POST', htu: `${issuer.origin}/auth/token` }),
      )
      .expect(200);
    expect(granted.body.token_type).toBe('DPoP');
    return { token: granted.body.access_token as string, key };
  }

  const me = (token: string, dpop?: string, scheme = 'DPoP') => {
    const sent = request(t.server)
      .get('/users/me')
      .set('Authorization', `${scheme} ${token}`);
    return dpop === undefined ? sent : sent.set('DPoP', dpop);
  };

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}` });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = new URL(`http://127.0.0.1:${port}`);
    user = await signUpVerified(t);
    ({ clientId: publicClientId } = await registerClient(t));
    const registered = await registerClient(t, {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read',
    });
    service = { clientId: registered.clientId, secret: registered.secret! };
  });
  afterAll(() => t.close());

  describe('with openid-client', () => {
    it('binds the code grant, every refresh and every resource call of a public client to its key', async () => {
      const config = await client.discovery(
        issuer,
        publicClientId,
        undefined,
        client.None(),
        { execute: [client.allowInsecureRequests] },
      );
      expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual(
        ['ES256', 'RS256', 'PS256'],
      );
      const keyPair = await client.randomDPoPKeyPair('ES256');
      const DPoP = client.getDPoPHandle(config, keyPair);
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid account',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'dpop-state',
      });
      const browser = new BrowserAgent(t);
      const page = await browser.get(`${url.pathname}${url.search}`);
      const back = await browser.follow(
        await browser.submit(page, {
          username: user.username,
          password: user.password,
        }),
      );
      const tokens = await client.authorizationCodeGrant(
        config,
        new URL(back.headers.location),
        { pkceCodeVerifier: verifier, expectedState: 'dpop-state' },
        undefined,
        { DPoP },
      );
      expect(tokens.token_type).toBe('dpop');
      const jkt = decodeClaims(tokens.access_token).cnf as { jkt: string };
      expect(jkt.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const resource = await client.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${issuer.origin}/users/me`),
        'GET',
        undefined,
        undefined,
        { DPoP },
      );
      expect(resource.status).toBe(200);
      expect(((await resource.json()) as { id: string }).id).toBe(user.id);

      // The refresh token is bound to the key: without a proof, or with another key, it is
      // refused (and nothing ends: whoever sent it does not hold the key).
      const refreshToken = tokens.refresh_token!;
      expectError(
        await tokenRequest(t, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: publicClientId,
        }),
        400,
        'invalid_grant',
      );
      const stranger = await dpopKey();
      expectError(
        await tokenRequest(t, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: publicClientId,
        }).set(
          'DPoP',
          await proof(stranger, {
            htm: 'POST',
            htu: `${issuer.origin}/auth/token`,
          }),
        ),
        400,
        'invalid_grant',
      );
      expectError(
        await request(t.server)
          .post('/auth/refresh')
          .send({ refresh_token: refreshToken }),
        401,
        'Unauthorized',
      );
      const refreshed = await client.refreshTokenGrant(
        config,
        refreshToken,
        undefined,
        { DPoP },
      );
      expect(refreshed.token_type).toBe('dpop');
      expect(decodeClaims(refreshed.access_token).cnf).toEqual(jkt);

      // The bound token is no bearer token, on any route family.
      for (const path of ['/users/me', '/auth/sessions', '/userinfo'])
        expectError(
          await request(t.server).get(path).set(bearer(refreshed.access_token)),
          401,
          'invalid_token',
        );
    });

    it('binds client credentials tokens, and a DPoP-only client gets none without a proof', async () => {
      const config = await client.discovery(
        issuer,
        service.clientId,
        undefined,
        client.ClientSecretBasic(service.secret),
        { execute: [client.allowInsecureRequests] },
      );
      const DPoP = client.getDPoPHandle(
        config,
        await client.randomDPoPKeyPair('ES256'),
      );
      const tokens = await client.clientCredentialsGrant(config, undefined, {
        DPoP,
      });
      expect(tokens.token_type).toBe('dpop');
      const listed = await client.fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${issuer.origin}/users`),
        'GET',
        undefined,
        undefined,
        { DPoP },
      );
      expect(listed.status).toBe(200);

      const strict = await registerClient(t, {
        redirect_uris: [],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'users:read',
        dpop_bound_access_tokens: true,
      });
      expectError(
        await tokenRequest(t, {
          grant_type: 'client_credentials',
          client_id: strict.clientId,
          client_secret: strict.secret!,
        }),
        400,
        'invalid_dpop_proof',
      );
    });
  });

  it('works with oauth4webapi: client credentials and a protected resource request', async () => {
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, {
        [oauth.allowInsecureRequests]: true,
      }),
    );
    const self = { client_id: service.clientId };
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
    const options = { DPoP, [oauth.allowInsecureRequests]: true };
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      self,
      await oauth.clientCredentialsGrantRequest(
        as,
        self,
        oauth.ClientSecretBasic(service.secret),
        {},
        options,
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    const response = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL(`${issuer.origin}/users`),
      undefined,
      undefined,
      options,
    );
    expect(response.status).toBe(200);
  });

  describe('proofs that are refused on a protected route', () => {
    it('accepts the right proof once, and refuses it replayed', async () => {
      const { token, key } = await boundUserToken();
      const once = await proof(key, { ath: ath(token) });
      await me(token, once).expect(200);
      expectError(await me(token, once), 401, 'invalid_dpop_proof');
    });

    it('lets exactly one of a parallel burst of the same proof through', async () => {
      const { token, key } = await boundUserToken();
      const once = await proof(key, { ath: ath(token) });
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => me(token, once)),
      );
      expect(burst.filter((r) => r.status === 200)).toHaveLength(1);
      for (const refused of burst.filter((r) => r.status !== 200))
        expectError(refused, 401, 'invalid_dpop_proof');
    });

    it.each<[string, (token: string, key: DpopKey) => Promise<string>]>([
      [
        'for another method',
        (token, key) => proof(key, { ath: ath(token), htm: 'POST' }),
      ],
      [
        'for another URL',
        (token, key) =>
          proof(key, { ath: ath(token), htu: `${issuer.origin}/todos` }),
      ],
      [
        'for another host (a Host header is never trusted)',
        (token, key) =>
          proof(key, {
            ath: ath(token),
            htu: 'https://evil.example.com/users/me',
          }),
      ],
      [
        'too old',
        (token, key) =>
          proof(key, {
            ath: ath(token),
            iat: Math.floor(Date.now() / 1000) - 120,
          }),
      ],
      [
        'from the future',
        (token, key) =>
          proof(key, {
            ath: ath(token),
            iat: Math.floor(Date.now() / 1000) + 120,
          }),
      ],
      ['without ath', (_, key) => proof(key)],
      [
        'with the ath of another token',
        (_, key) => proof(key, { ath: ath('other') }),
      ],
      [
        "with another key than the token's",
        async (token) => proof(await dpopKey(), { ath: ath(token) }),
      ],
      [
        'of another type',
        (token, key) => proof(key, { ath: ath(token) }, { typ: 'JWT' }),
      ],
      [
        'signed with HMAC',
        (token, key) =>
          proof(
            key,
            { ath: ath(token) },
            { alg: 'HS256' },
            new TextEncoder().encode('x'.repeat(32)),
          ),
      ],
      [
        "signed with 'none'",
        (token, key) =>
          Promise.resolve(
            `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })).toString('base64url')}.${Buffer.from(
              JSON.stringify({
                htm: 'GET',
                htu: `${issuer.origin}/users/me`,
                iat: Math.floor(Date.now() / 1000),
                jti: randomUUID(),
                ath: ath(token),
              }),
            ).toString('base64url')}.`,
          ),
      ],
      [
        'with a private key in its jwk',
        async (token, key) =>
          proof(
            key,
            { ath: ath(token) },
            { jwk: await exportJWK(key.privateKey) },
          ),
      ],
      ['that is no JWT', () => Promise.resolve('not-a-proof')],
    ])('refuses a proof %s: 401 invalid_dpop_proof', async (_, make) => {
      const { token, key } = await boundUserToken();
      const refused = await me(token, await make(token, key));
      expectError(refused, 401, 'invalid_dpop_proof');
      expect(refused.headers['www-authenticate']).toMatch(
        /^DPoP realm="warden", error="invalid_dpop_proof", algs="ES256 RS256 PS256"$/,
      );
      // The token itself is fine: a right proof still works.
      await me(token, await proof(key, { ath: ath(token) })).expect(200);
    });

    it.each(['RS256', 'PS256'] as const)(
      'binds to and accepts %s proofs; refuses a proof whose alg is not its signature, and a short RSA key',
      async (alg) => {
        /** A proof signed with node:crypto, whatever its header says. */
        const rsaProof = (
          bits: number,
          claims: Record<string, unknown>,
          signedAs: 'RS256' | 'PS256' = alg,
        ) => {
          const pair =
            keys.get(bits) ??
            generateKeyPairSync('rsa', { modulusLength: bits });
          keys.set(bits, pair);
          const encode = (value: unknown) =>
            Buffer.from(JSON.stringify(value)).toString('base64url');
          const input = `${encode({
            alg,
            typ: 'dpop+jwt',
            jwk: pair.publicKey.export({ format: 'jwk' }),
          })}.${encode({
            iat: Math.floor(Date.now() / 1000),
            jti: randomUUID(),
            ...claims,
          })}`;
          const signature = sign(
            'sha256',
            Buffer.from(input),
            signedAs === 'PS256'
              ? {
                  key: pair.privateKey,
                  padding: constants.RSA_PKCS1_PSS_PADDING,
                  saltLength: 32,
                }
              : pair.privateKey,
          ).toString('base64url');
          return `${input}.${signature}`;
        };
        const keys = new Map<number, ReturnType<typeof generateKeyPairSync>>();
        const granted = await tokenRequest(t, {
          grant_type: 'password',
          username: user.username,
          password: user.password,
        })
          .set(
            'DPoP',
            rsaProof(2048, { htm: 'POST', htu: `${issuer.origin}/auth/token` }),
          )
          .expect(200);
        const token = granted.body.access_token as string;
        const resource = {
          htm: 'GET',
          htu: `${issuer.origin}/users/me`,
          ath: ath(token),
        };
        await me(token, rsaProof(2048, resource)).expect(200);
        expectError(
          await me(
            token,
            rsaProof(2048, resource, alg === 'RS256' ? 'PS256' : 'RS256'),
          ),
          401,
          'invalid_dpop_proof',
        );
        expectError(
          await me(token, rsaProof(1024, resource)),
          401,
          'invalid_dpop_proof',
        );
      },
    );

    it('accepts a proof whatever Host header the request came with: htu is PUBLIC_URL', async () => {
      const { token, key } = await boundUserToken();
      await me(token, await proof(key, { ath: ath(token) }))
        .set('Host', 'evil.example.com')
        .expect(200);
    });

    it('refuses a bound token without a proof, or as a bearer token, and an unbound token under DPoP', async () => {
      const { token, key } = await boundUserToken();
      expectError(await me(token), 401, 'invalid_dpop_proof');
      expectError(
        await me(token, await proof(key, { ath: ath(token) }), 'Bearer'),
        401,
        'invalid_token',
      );
      expectError(
        await me(
          user.accessToken,
          await proof(key, { ath: ath(user.accessToken) }),
        ),
        401,
        'invalid_token',
      );
      expectError(
        await me(token).set('DPoP', 'a').set('DPoP', 'b'),
        401,
        'invalid_dpop_proof',
      );
    });
  });

  describe('at the token endpoint', () => {
    it.each<[string, (key: DpopKey) => Promise<string>]>([
      ['for another URL', (key) => proof(key, { htm: 'POST' })],
      ['for GET', (key) => proof(key, { htu: `${issuer.origin}/auth/token` })],
      ['that is no JWT', () => Promise.resolve('x.y.z')],
    ])('refuses a proof %s: 400 invalid_dpop_proof', async (_, make) => {
      const key = await dpopKey();
      expectError(
        await tokenRequest(t, {
          grant_type: 'password',
          username: user.username,
          password: user.password,
        }).set('DPoP', await make(key)),
        400,
        'invalid_dpop_proof',
      );
    });

    it('takes a proof for the path it was sent to (/token too)', async () => {
      const key = await dpopKey();
      const granted = await request(t.server)
        .post('/token')
        .type('form')
        .send({
          grant_type: 'password',
          username: user.username,
          password: user.password,
        })
        .set(
          'DPoP',
          await proof(key, { htm: 'POST', htu: `${issuer.origin}/token` }),
        )
        .expect(200);
      expect(granted.body.token_type).toBe('DPoP');
    });
  });

  it('tells introspection a token is DPoP-bound, with its key thumbprint', async () => {
    const resourceServer = await registerClient(t, {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read',
      allow_introspection: true,
    });
    const { token } = await boundUserToken();
    const described = await request(t.server)
      .post('/auth/introspect')
      .auth(resourceServer.clientId, resourceServer.secret!)
      .type('form')
      .send({ token })
      .expect(200);
    expect(described.body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: decodeClaims(token).cnf,
    });
  });
});

describe(`DPoP with DPOP_NONCE=required (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let issuer: URL;
  let user: TestUser;

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DPOP_NONCE: 'required',
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = new URL(`http://127.0.0.1:${port}`);
    user = await signUpVerified(t);
  });
  afterAll(() => t.close());

  it('asks for a nonce at the token endpoint and on protected routes, and openid-client retries with it', async () => {
    const key = await dpopKey();
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
        ...claims,
      })
        .setProtectedHeader({
          alg: 'ES256',
          typ: 'dpop+jwt',
          jwk: key.publicJwk,
        })
        .sign(key.privateKey);
    const form = {
      grant_type: 'password',
      username: user.username,
      password: user.password,
    };
    const tokenProof = { htm: 'POST', htu: `${issuer.origin}/auth/token` };
    const asked = await tokenRequest(t, form).set(
      'DPoP',
      await sign(tokenProof),
    );
    expectError(asked, 400, 'use_dpop_nonce');
    const nonce: string = asked.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expectError(
      await tokenRequest(t, form).set(
        'DPoP',
        await sign({ ...tokenProof, nonce: 'made-up' }),
      ),
      400,
      'use_dpop_nonce',
    );
    const granted = await tokenRequest(t, form)
      .set('DPoP', await sign({ ...tokenProof, nonce }))
      .expect(200);
    const token = granted.body.access_token as string;

    const resource = {
      htm: 'GET',
      htu: `${issuer.origin}/users/me`,
      ath: ath(token),
    };
    const refused = await request(t.server)
      .get('/users/me')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await sign(resource));
    expectError(refused, 401, 'use_dpop_nonce');
    expect(refused.headers['dpop-nonce']).toBe(nonce);
    await request(t.server)
      .get('/users/me')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await sign({ ...resource, nonce }))
      .expect(200);

    // openid-client learns the nonce from the first answer and tries again with it.
    const registered = await registerClient(t, {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read',
    });
    const config = await client.discovery(
      issuer,
      registered.clientId,
      undefined,
      client.ClientSecretBasic(registered.secret!),
      { execute: [client.allowInsecureRequests] },
    );
    const DPoP = client.getDPoPHandle(
      config,
      await client.randomDPoPKeyPair('ES256'),
    );
    const tokens = await client.clientCredentialsGrant(config, undefined, {
      DPoP,
    });
    const listed = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${issuer.origin}/users`),
      'GET',
      undefined,
      undefined,
      { DPoP },
    );
    expect(listed.status).toBe(200);
  });
});
