import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import {
  signUpVerified,
  tokenRequest,
  type TestUser,
} from '../../../test/support/api.js';
import { registerClient } from '../../../test/support/authorization.js';
import { testDatabaseKind } from '../../../test/support/database.js';
import { freePort } from '../../../test/support/server-process.js';
import { startTestApp, type TestApp } from '../../../test/support/test-app.js';
import { createResourceServer } from '../src/app.js';

/**
 * The example resource server (examples/resource-server) against a real Warden: tokens verified
 * through Warden's JWKS with passport-jwt, DPoP-bound tokens with their proofs, and a route that
 * asks Warden's introspection endpoint so that a logout counts at once.
 */
describe(`The resource server example (${testDatabaseKind()})`, () => {
  let warden: TestApp;
  let api: NestFastifyApplication;
  let apiUrl: string;
  let wardenUrl: string;
  let user: TestUser;

  beforeAll(async () => {
    const wardenPort = await freePort();
    wardenUrl = `http://127.0.0.1:${wardenPort}`;
    // RS256: the access-token key is in Warden's JWKS, as in production.
    warden = await startTestApp({
      PUBLIC_URL: wardenUrl,
      JWT_ALGORITHM: 'RS256',
    });
    await warden.app.listen({ port: wardenPort, host: '127.0.0.1' });
    const introspector = await registerClient(warden, {
      client_name: 'Notes API',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read',
      allow_introspection: true,
    });
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    api = await createResourceServer({
      wardenUrl: new URL(wardenUrl),
      audience: 'warden-api',
      publicUrl: new URL(apiUrl),
      port: apiPort,
      introspection: {
        clientId: introspector.clientId,
        clientSecret: introspector.secret!,
      },
    });
    await api.listen({ port: apiPort, host: '127.0.0.1' });
    user = await signUpVerified(warden);
  });
  afterAll(async () => {
    await api?.close();
    await warden?.close();
  });

  const call = (
    path: string,
    headers: Record<string, string> = {},
    method = 'GET',
  ) => fetch(`${apiUrl}${path}`, { method, headers });

  it('serves a Warden bearer token, and refuses none, a forged one and the wrong scope', async () => {
    const listed = await call('/notes', {
      authorization: `Bearer ${user.accessToken}`,
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({
      owner: user.id,
      boundTo: null,
    });
    expect((await call('/notes')).status).toBe(401);
    const [header, payload] = user.accessToken.split('.');
    expect(
      (
        await call('/notes', {
          authorization: `Bearer ${header}.${payload}.AAAA`,
        })
      ).status,
    ).toBe(401);
    const narrow = await tokenRequest(warden, {
      grant_type: 'password',
      username: user.username,
      password: user.password,
      scope: 'account',
    }).expect(200);
    expect(
      (
        await call('/notes', {
          authorization: `Bearer ${narrow.body.access_token}`,
        })
      ).status,
    ).toBe(403);
  });

  describe('DPoP', () => {
    let key: { privateKey: CryptoKey; jwk: JWK };
    let token: string;
    const proof = (claims: Record<string, unknown> = {}) =>
      new SignJWT({
        htm: 'GET',
        htu: `${apiUrl}/notes`,
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
        ath: createHash('sha256').update(token).digest('base64url'),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
        .sign(key.privateKey);

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      key = {
        privateKey: pair.privateKey,
        jwk: await exportJWK(pair.publicKey),
      };
      const granted = await tokenRequest(warden, {
        grant_type: 'password',
        username: user.username,
        password: user.password,
      })
        .set(
          'DPoP',
          await new SignJWT({
            htm: 'POST',
            htu: `${wardenUrl}/auth/token`,
            iat: Math.floor(Date.now() / 1000),
            jti: randomUUID(),
          })
            .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
            .sign(key.privateKey),
        )
        .expect(200);
      token = granted.body.access_token as string;
    });

    it('serves a DPoP-bound token with a proof for this server, once per proof', async () => {
      const once = await proof();
      const served = await call('/notes', {
        authorization: `DPoP ${token}`,
        dpop: once,
      });
      expect(served.status).toBe(200);
      expect((await served.json()).boundTo).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(
        (await call('/notes', { authorization: `DPoP ${token}`, dpop: once }))
          .status,
      ).toBe(401);
    });

    it('refuses the bound token as a bearer token, without a proof, and with a proof for Warden', async () => {
      expect(
        (
          await call('/notes', {
            authorization: `Bearer ${token}`,
            dpop: await proof(),
          })
        ).status,
      ).toBe(401);
      expect(
        (await call('/notes', { authorization: `DPoP ${token}` })).status,
      ).toBe(401);
      expect(
        (
          await call('/notes', {
            authorization: `DPoP ${token}`,
            dpop: await proof({ htu: `${wardenUrl}/notes` }),
          })
        ).status,
      ).toBe(401);
    });
  });

  it('asks Warden where a logout must count at once: the introspected route refuses the token, the local one serves it until it expires', async () => {
    const signedIn = await signUpVerified(warden);
    const auth = { authorization: `Bearer ${signedIn.accessToken}` };
    expect((await call('/notes/publish', auth, 'POST')).status).toBe(201);
    await fetch(`${wardenUrl}/auth/logout`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await call('/notes/publish', auth, 'POST')).status).toBe(401);
    expect((await call('/notes', auth)).status).toBe(200);
  });
});
