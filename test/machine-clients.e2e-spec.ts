import {
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  SignJWT,
} from 'jose';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import request from 'supertest';
import {
  bearer,
  expectError,
  makeAdmin,
  signUpVerified,
  tokenRequest,
  type TestUser,
} from './support/api.js';
import { registerClient } from './support/authorization.js';
import { testDatabaseKind } from './support/database.js';
import { decodeClaims } from './support/jwt.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/**
 * Machine clients (issue 26): the client credentials grant, the routes that take a client's own
 * token and the many that refuse it, token introspection for resource servers, and revocation
 * of client tokens, through openid-client where it speaks the protocol and over raw HTTP for
 * what it would never send.
 */
describe(`Machine clients: client credentials, introspection, revocation (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let issuer: URL;
  let admin: TestUser;
  let user: TestUser;
  /** A service that reads accounts (client_credentials, users:read). */
  let service: { clientId: string; secret: string };
  /** A resource server allowed to introspect. */
  let resourceServer: { clientId: string; secret: string };

  const machine = async (fields: Record<string, unknown> = {}) => {
    const registered = await registerClient(t, {
      client_name: 'Reporting service',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: false,
      scope: 'users:read',
      ...fields,
    });
    return { clientId: registered.clientId, secret: registered.secret ?? '' };
  };

  const configFor = (
    registered: { clientId: string; secret: string },
    auth = client.ClientSecretBasic(registered.secret),
  ) =>
    client.discovery(issuer, registered.clientId, undefined, auth, {
      execute: [client.allowInsecureRequests],
    });

  const clientToken = async (registered = service) =>
    (
      await tokenRequest(t, { grant_type: 'client_credentials' })
        .set('Authorization', basic(registered.clientId, registered.secret))
        .expect(200)
    ).body.access_token as string;

  const introspect = (token: string, caller = resourceServer) =>
    request(t.server)
      .post('/auth/introspect')
      .set('Authorization', basic(caller.clientId, caller.secret))
      .type('form')
      .send({ token });

  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}` });
    await t.app.listen({ port, host: '127.0.0.1' });
    issuer = new URL(`http://127.0.0.1:${port}`);
    admin = await makeAdmin(t, await signUpVerified(t));
    user = await signUpVerified(t);
    service = await machine();
    resourceServer = await machine({
      client_name: 'Notes API',
      allow_introspection: true,
      scope: 'openid',
    });
  });
  afterAll(() => t.close());

  describe('registration', () => {
    const register = (body: Record<string, unknown>) =>
      request(t.server)
        .post('/clients')
        .set(bearer(admin.accessToken))
        .send({ client_name: 'Machine', ...body });

    it('registers a machine client without redirect URIs, and says what it may do', async () => {
      const created = await register({
        grant_types: ['client_credentials'],
        scope: 'users:read',
        allow_introspection: true,
      }).expect(201);
      expect(created.body).toMatchObject({
        grant_types: ['client_credentials'],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        allow_introspection: true,
        client_secret: expect.any(String),
      });
    });

    it.each([
      [
        'a public client asking for client_credentials',
        {
          token_endpoint_auth_method: 'none',
          grant_types: ['client_credentials'],
        },
        '/token_endpoint_auth_method',
      ],
      [
        'a public client asking to introspect',
        {
          token_endpoint_auth_method: 'none',
          redirect_uris: ['https://app.example.com/cb'],
          allow_introspection: true,
        },
        '/token_endpoint_auth_method',
      ],
      [
        'the authorization_code grant without a redirect URI',
        { grant_types: ['authorization_code'] },
        '/redirect_uris',
      ],
      [
        'refresh_token without authorization_code',
        { grant_types: ['client_credentials', 'refresh_token'] },
        '/grant_types',
      ],
      ['an unknown grant type', { grant_types: ['password'] }, '/grant_types'],
      ['no grant type', { grant_types: [] }, '/grant_types'],
      [
        'a grant type twice',
        { grant_types: ['client_credentials', 'client_credentials'] },
        '/grant_types',
      ],
    ])('refuses %s, naming the field', async (_, body, pointer) => {
      const refused = await register(body);
      expectError(refused, 400, 'validation_failed');
      expect(
        (refused.body.errors as { pointer: string }[]).map((e) => e.pointer),
      ).toContain(pointer);
    });
  });

  describe('the client credentials grant', () => {
    it('issues openid-client a token that names the client, with no user, session or refresh token (client_secret_basic)', async () => {
      const config = await configFor(service);
      const tokens = await client.clientCredentialsGrant(config);
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.refresh_token).toBeUndefined();
      expect(tokens.id_token).toBeUndefined();
      expect(tokens.scope).toBe('users:read');
      const claims = decodeClaims(tokens.access_token);
      expect(claims).toMatchObject({
        sub: service.clientId,
        client_id: service.clientId,
        scope: 'users:read',
      });
      expect(claims).not.toHaveProperty('sid');
      expect(claims).not.toHaveProperty('amr');
      expect(claims).not.toHaveProperty('auth_time');

      const listed = await request(t.server)
        .get('/users?limit=100')
        .set(bearer(tokens.access_token))
        .expect(200);
      expect(listed.body).toContainEqual(
        expect.objectContaining({ id: user.id }),
      );
      await request(t.server)
        .get(`/users/${user.id}`)
        .set(bearer(tokens.access_token))
        .expect(200);
    });

    it('authenticates with client_secret_post too, when the client registered it', async () => {
      const poster = await machine({
        token_endpoint_auth_method: 'client_secret_post',
      });
      const config = await configFor(
        poster,
        client.ClientSecretPost(poster.secret),
      );
      const tokens = await client.clientCredentialsGrant(config, {
        scope: 'users:read',
      });
      expect(tokens.scope).toBe('users:read');
      // The method it did not register is refused.
      expectError(
        await tokenRequest(t, { grant_type: 'client_credentials' }).set(
          'Authorization',
          basic(poster.clientId, poster.secret),
        ),
        401,
        'invalid_client',
      );
    });

    it('grants only client scopes the client registered: anything else is invalid_scope', async () => {
      const ask = (scope: string) =>
        tokenRequest(t, { grant_type: 'client_credentials', scope }).set(
          'Authorization',
          basic(service.clientId, service.secret),
        );
      for (const scope of ['todos:read', 'users:admin', 'openid', 'nonsense'])
        expectError(await ask(scope), 400, 'invalid_scope');
      expectError(await ask('users:read todos:read'), 400, 'invalid_scope');
      // Registered for user scopes only: nothing a client's own token can carry.
      const userScoped = await machine({ scope: 'todos:read account' });
      expectError(
        await tokenRequest(t, { grant_type: 'client_credentials' }).set(
          'Authorization',
          basic(userScoped.clientId, userScoped.secret),
        ),
        400,
        'invalid_scope',
      );
    });

    it('refuses a client not registered for it: unauthorized_client, public or confidential', async () => {
      const spa = await registerClient(t);
      expectError(
        await tokenRequest(t, {
          grant_type: 'client_credentials',
          client_id: spa.clientId,
        }),
        400,
        'unauthorized_client',
      );
      const webApp = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid users:read',
      });
      expectError(
        await tokenRequest(t, { grant_type: 'client_credentials' }).set(
          'Authorization',
          basic(webApp.clientId, webApp.secret ?? ''),
        ),
        400,
        'unauthorized_client',
      );
    });

    it('refuses a wrong secret and an unknown client: invalid_client', async () => {
      for (const authorization of [
        basic(service.clientId, 'not-the-secret'),
        basic('no-such-client-000000000', service.secret),
      ])
        expectError(
          await tokenRequest(t, { grant_type: 'client_credentials' }).set(
            'Authorization',
            authorization,
          ),
          401,
          'invalid_client',
        );
    });
  });

  describe('private_key_jwt (RFC 7523)', () => {
    let keys: { privateKey: CryptoKey; publicJwk: JWK };
    let keyed: { clientId: string };
    const issuerId = () => issuer.href.replace(/\/$/, '');

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      keys = {
        privateKey: pair.privateKey,
        publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1' },
      };
      keyed = await machine({
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [keys.publicJwk] },
        allow_introspection: true,
      });
    });

    /** An assertion as a client makes it, with `claims` and `header` changed. */
    const assertion = (
      claims: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key: CryptoKey | Uint8Array = keys.privateKey,
    ) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: keyed.clientId,
        sub: keyed.clientId,
        aud: issuerId(),
        jti: randomUUID(),
        iat: now,
        exp: now + 60,
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
        .sign(key);
    };
    const withAssertion = (clientAssertion: string, extra = {}) =>
      tokenRequest(t, {
        grant_type: 'client_credentials',
        client_assertion_type:
          'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
        ...extra,
      });

    it('authenticates openid-client and oauth4webapi with a signed assertion, for the grant and for introspection', async () => {
      const config = await client.discovery(
        issuer,
        keyed.clientId,
        undefined,
        client.PrivateKeyJwt(keys.privateKey),
        { execute: [client.allowInsecureRequests] },
      );
      const tokens = await client.clientCredentialsGrant(config);
      expect(decodeClaims(tokens.access_token).sub).toBe(keyed.clientId);
      expect(
        (await client.tokenIntrospection(config, tokens.access_token)).active,
      ).toBe(true);

      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, {
          [oauth.allowInsecureRequests]: true,
        }),
      );
      expect(as.token_endpoint_auth_signing_alg_values_supported).toContain(
        'ES256',
      );
      const auth = oauth.PrivateKeyJwt(keys.privateKey);
      const self = { client_id: keyed.clientId };
      const granted = await oauth.processClientCredentialsResponse(
        as,
        self,
        await oauth.clientCredentialsGrantRequest(
          as,
          self,
          auth,
          { scope: 'users:read' },
          { [oauth.allowInsecureRequests]: true },
        ),
      );
      const described = await oauth.processIntrospectionResponse(
        as,
        self,
        await oauth.introspectionRequest(as, self, auth, granted.access_token, {
          [oauth.allowInsecureRequests]: true,
        }),
      );
      expect(described).toMatchObject({
        active: true,
        client_id: keyed.clientId,
      });
    });

    it('refuses an assertion used twice, even in a parallel burst: exactly one wins', async () => {
      const once = await assertion();
      await withAssertion(once).expect(200);
      expectError(await withAssertion(once), 401, 'invalid_client');
      const twice = await assertion();
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => withAssertion(twice)),
      );
      expect(burst.map((r) => r.status).sort()).toEqual([
        200, 401, 401, 401, 401, 401, 401, 401,
      ]);
    });

    it.each([
      ['another audience', { aud: 'https://elsewhere.example.com' }],
      ['the token endpoint as audience', { aud: 'TOKEN_ENDPOINT' }],
      ['an array audience', { aud: ['ISSUER'] }],
      ['an expired one', { exp: Math.floor(Date.now() / 1000) - 60 }],
      ['one valid for an hour', { exp: Math.floor(Date.now() / 1000) + 3600 }],
      ['one issued in the future', { iat: Math.floor(Date.now() / 1000) + 60 }],
      ['one without jti', { jti: undefined }],
      ['another issuer', { iss: 'someone-else' }],
      ['another subject', { sub: 'someone-else' }],
    ])('refuses %s: 401 invalid_client', async (_, claims) => {
      const fixed = Object.fromEntries(
        Object.entries(claims).map(([name, value]) => [
          name,
          value === 'TOKEN_ENDPOINT'
            ? `${issuerId()}/auth/token`
            : Array.isArray(value)
              ? [issuerId()]
              : value,
        ]),
      );
      const refused = await withAssertion(await assertion(fixed), {
        client_id: keyed.clientId,
      });
      expectError(refused, 401, 'invalid_client');
    });

    it('refuses a key it does not know, HMAC, alg none and a key the client did not register', async () => {
      const stranger = await generateKeyPair('ES256');
      for (const forged of [
        await assertion({}, {}, stranger.privateKey),
        await assertion({}, { kid: 'other' }),
        await assertion(
          {},
          { alg: 'HS256' },
          new TextEncoder().encode('x'.repeat(32)),
        ),
        `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
          JSON.stringify({
            iss: keyed.clientId,
            sub: keyed.clientId,
            aud: issuerId(),
            jti: randomUUID(),
            exp: Math.floor(Date.now() / 1000) + 60,
          }),
        ).toString('base64url')}.`,
        'not-a-jwt',
      ])
        expectError(
          await withAssertion(forged, { client_id: keyed.clientId }),
          401,
          'invalid_client',
        );
    });

    it('refuses another method for a private_key_jwt client, and two methods at once', async () => {
      expectError(
        await tokenRequest(t, {
          grant_type: 'client_credentials',
          client_id: keyed.clientId,
          client_secret: 'anything',
        }),
        401,
        'invalid_client',
      );
      expectError(
        await withAssertion(await assertion()).set(
          'Authorization',
          basic(keyed.clientId, 'anything'),
        ),
        400,
        'invalid_request',
      );
      expectError(
        await withAssertion(await assertion(), {
          client_assertion_type: 'urn:example:other',
        }),
        401,
        'invalid_client',
      );
    });

    it.each([
      [
        'a private key',
        async () => ({
          keys: [
            await exportJWK(
              (await generateKeyPair('ES256', { extractable: true }))
                .privateKey,
            ),
          ],
        }),
        /private or symmetric key/,
      ],
      [
        'a symmetric key',
        () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
        /private or symmetric key/,
      ],
      [
        'a short RSA key',
        () => ({
          keys: [
            generateKeyPairSync('rsa', {
              modulusLength: 1024,
            }).publicKey.export({
              format: 'jwk',
            }),
          ],
        }),
        /under 2048 bits/,
      ],
      ['no keys', () => ({ keys: [] }), /at least one key/],
      [
        'garbage',
        () => ({ keys: [{ kty: 'EC', x: 'a' }] }),
        /not a valid public JWK/,
      ],
    ])('refuses to register %s', async (_, jwks, message) => {
      const refused = await request(t.server)
        .post('/clients')
        .set(bearer(admin.accessToken))
        .send({
          client_name: 'Keyed',
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'private_key_jwt',
          scope: 'users:read',
          jwks: await jwks(),
        });
      expectError(refused, 400, 'validation_failed');
      expect(JSON.stringify(refused.body.errors)).toMatch(message);
    });

    it('refuses private_key_jwt without keys, and keys with another method', async () => {
      for (const body of [
        { token_endpoint_auth_method: 'private_key_jwt' },
        {
          token_endpoint_auth_method: 'client_secret_basic',
          jwks: { keys: [keys.publicJwk] },
        },
      ]) {
        const refused = await request(t.server)
          .post('/clients')
          .set(bearer(admin.accessToken))
          .send({
            client_name: 'Keyed',
            grant_types: ['client_credentials'],
            scope: 'users:read',
            ...body,
          });
        expectError(refused, 400, 'validation_failed');
        expect(JSON.stringify(refused.body.errors)).toContain(
          '/token_endpoint_auth_method',
        );
      }
    });
  });

  describe('routes and client tokens', () => {
    it('refuses a client token with 403 user_token_required on routes that act for a user, and never lets it write', async () => {
      const token = await clientToken();
      for (const [method, path, body] of [
        ['get', '/users/me', undefined],
        ['get', '/todos', undefined],
        ['post', '/todos', { title: 'from a machine' }],
        ['post', '/posts', { title: 'T', body: 'B' }],
        ['patch', `/users/${user.id}`, { disabled: true }],
        ['delete', `/users/${user.id}/sessions`, undefined],
        ['get', '/clients', undefined],
        ['get', '/userinfo', undefined],
        ['post', '/auth/logout', {}],
        ['post', '/auth/logout-all', undefined],
        ['get', '/auth/sessions', undefined],
      ] as const) {
        const sent = request(t.server)[method](path).set(bearer(token));
        const response = await (body ? sent.send(body) : sent);
        expectError(response, 403, 'user_token_required');
      }
      // The account it did not touch is as it was.
      const shown = await request(t.server)
        .get(`/users/${user.id}`)
        .set(bearer(token))
        .expect(200);
      expect(shown.body.disabled).toBe(false);
    });

    it('answers every route of the OpenAPI document with 403 or a documented 2xx for a client token, never a 5xx', async () => {
      const token = await clientToken();
      const document = (await request(t.server).get('/docs-json').expect(200))
        .body as {
        paths: Record<
          string,
          Record<
            string,
            { security?: unknown[]; responses: Record<string, unknown> }
          >
        >;
      };
      const seen: string[] = [];
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const url = path.replace(/\{[^}]+\}/g, user.id);
          const response = await request(t.server)
            [method as 'get'](url)
            .set(bearer(token))
            .send({});
          const where = `${method.toUpperCase()} ${path}: ${response.status} ${JSON.stringify(response.body)}`;
          seen.push(where);
          expect(response.status, where).toBeLessThan(500);
          if (operation.security && operation.security.length > 0) {
            const documented = Object.keys(operation.responses);
            expect(
              response.status === 403 ||
                (response.status < 300 &&
                  documented.includes(String(response.status))),
              where,
            ).toBe(true);
            if (response.status === 403)
              expect(
                documented,
                `${method.toUpperCase()} ${path} documents its 403`,
              ).toContain('403');
          }
        }
      }
      // The routes that take a client token did, and no others answered 2xx.
      expect(
        seen.filter((line) => / 200 /.test(line) && line.includes('/users')),
      ).toHaveLength(2);
    });

    it('stops a revoked client token at once, and ignores a revocation by another client (RFC 7009 §2.1)', async () => {
      const token = await clientToken();
      const other = await machine();
      await request(t.server)
        .post('/auth/revoke')
        .set('Authorization', basic(other.clientId, other.secret))
        .type('form')
        .send({ token })
        .expect(200);
      await request(t.server).get('/users').set(bearer(token)).expect(200);

      const config = await configFor(service);
      await client.tokenRevocation(config, token);
      expectError(
        await request(t.server).get('/users').set(bearer(token)),
        401,
        'invalid_token',
      );
      // A user's bearer token cannot revoke a client's token either.
      const second = await clientToken();
      await request(t.server)
        .post('/auth/revoke')
        .set(bearer(user.accessToken))
        .type('form')
        .send({ token: second })
        .expect(200);
      await request(t.server).get('/users').set(bearer(second)).expect(200);
    });

    it('ends the tokens of a removed client', async () => {
      const doomed = await machine();
      const token = await clientToken(doomed);
      await request(t.server).get('/users').set(bearer(token)).expect(200);
      await request(t.server)
        .delete(`/clients/${doomed.clientId}`)
        .set(bearer(admin.accessToken))
        .expect(204);
      expectError(
        await request(t.server).get('/users').set(bearer(token)),
        401,
        'invalid_token',
      );
    });
  });

  describe('token introspection (RFC 7662)', () => {
    it('tells openid-client a user token is active, with its claims, and inactive once the user logs out', async () => {
      const signedIn = await signUpVerified(t);
      const config = await configFor(resourceServer);
      const active = await client.tokenIntrospection(
        config,
        signedIn.accessToken,
      );
      expect(active).toMatchObject({
        active: true,
        sub: signedIn.id,
        username: signedIn.username,
        token_type: 'Bearer',
        iss: issuer.href.replace(/\/$/, ''),
        scope: expect.stringContaining('todos:read'),
      });
      expect(active.sid).toEqual(expect.any(String));
      expect(active.exp).toBeGreaterThan(Date.now() / 1000);

      const refresh = await client.tokenIntrospection(
        config,
        signedIn.refreshToken ?? '',
      );
      expect(refresh).toMatchObject({
        active: true,
        token_type: 'refresh_token',
        sub: signedIn.id,
      });

      await request(t.server)
        .post('/auth/logout')
        .set(bearer(signedIn.accessToken))
        .send({})
        .expect(204);
      for (const token of [signedIn.accessToken, signedIn.refreshToken ?? ''])
        expect(await client.tokenIntrospection(config, token)).toEqual({
          active: false,
        });
    });

    it('describes a client token, and says inactive once it is revoked', async () => {
      const token = await clientToken();
      const active = (await introspect(token).expect(200)).body;
      expect(active).toMatchObject({
        active: true,
        client_id: service.clientId,
        sub: service.clientId,
        scope: 'users:read',
        token_type: 'Bearer',
      });
      expect(active).not.toHaveProperty('username');
      expect(active).not.toHaveProperty('sid');
      await request(t.server)
        .post('/auth/revoke')
        .set('Authorization', basic(service.clientId, service.secret))
        .type('form')
        .send({ token })
        .expect(200);
      expect((await introspect(token).expect(200)).body).toEqual({
        active: false,
      });
    });

    it('answers {"active": false} and nothing else for garbage, a rotated refresh token and a disabled account', async () => {
      const signedIn = await signUpVerified(t);
      const refreshed = await request(t.server)
        .post('/auth/refresh')
        .send({ refresh_token: signedIn.refreshToken })
        .expect(200);
      for (const token of [
        'garbage',
        'a'.repeat(5000),
        `${signedIn.accessToken}x`,
        signedIn.refreshToken ?? '',
      ]) {
        const answer = await introspect(token).expect(200);
        expect(answer.body).toEqual({ active: false });
        expect(answer.headers['cache-control']).toContain('no-store');
      }
      // Introspecting the rotated refresh token was no reuse: the session goes on.
      expect(
        (await introspect(refreshed.body.access_token as string)).body.active,
      ).toBe(true);
      await request(t.server)
        .patch(`/users/${signedIn.id}`)
        .set(bearer(admin.accessToken))
        .send({ disabled: true })
        .expect(200);
      expect(
        (await introspect(refreshed.body.access_token as string)).body,
      ).toEqual({ active: false });
    });

    it('refuses every client not allowed to introspect with 401 invalid_client, and a request without client authentication', async () => {
      const token = await clientToken();
      const spa = await registerClient(t);
      for (const attempt of [
        introspect(token, service),
        introspect(token, { ...resourceServer, secret: 'wrong' }),
        request(t.server)
          .post('/auth/introspect')
          .type('form')
          .send({ token, client_id: spa.clientId }),
        request(t.server).post('/auth/introspect').type('form').send({ token }),
      ]) {
        const refused = await attempt;
        expectError(refused, 401, 'invalid_client');
        expect(refused.body).not.toHaveProperty('active');
      }
    });

    it('answers malformed requests with 400 invalid_request', async () => {
      expectError(
        await request(t.server)
          .post('/auth/introspect')
          .set(
            'Authorization',
            basic(resourceServer.clientId, resourceServer.secret),
          )
          .type('form')
          .send({}),
        400,
        'invalid_request',
      );
      expectError(
        await request(t.server)
          .post('/auth/introspect')
          .set(
            'Authorization',
            basic(resourceServer.clientId, resourceServer.secret),
          )
          .send({ token: 'json is not a form' }),
        400,
        'invalid_request',
      );
    });
  });

  it('publishes the grant, the introspection endpoint and their client authentication in discovery', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      const metadata = (await request(t.server).get(path).expect(200)).body;
      expect(metadata.grant_types_supported).toContain('client_credentials');
      expect(metadata.introspection_endpoint).toBe(
        `${issuer.origin}/auth/introspect`,
      );
      expect(metadata.introspection_endpoint_auth_methods_supported).toEqual([
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ]);
      expect(metadata.scopes_supported).toContain('users:read');
    }
  });
});
