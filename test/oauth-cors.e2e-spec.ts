import request from 'supertest';
import { registerClient } from './support/authorization.js';
import { testDatabaseKind } from './support/database.js';
import { appForSuite } from './support/suite.js';

const SPA = 'https://spa.example.com';
const SERVER = 'https://server.example.com';

/**
 * CORS on the OAuth endpoints: discovery and keys for any page; token, revocation and userinfo
 * for the origins of public clients' redirect URIs only, never with credentials; with and
 * without CORS_ORIGINS (which keeps governing the API's own routes).
 */
describe.each([
  ['without CORS_ORIGINS', {}],
  ['beside CORS_ORIGINS', { CORS_ORIGINS: 'https://api-console.example.com' }],
])(`OAuth endpoints across origins, %s (${testDatabaseKind()})`, (_, env) => {
  const t = appForSuite(env);
  beforeAll(async () => {
    await registerClient(t, { redirect_uris: [`${SPA}/callback`] });
    await registerClient(t, {
      redirect_uris: [`${SERVER}/callback`],
      token_endpoint_auth_method: 'client_secret_basic',
    });
  });

  const preflight = (path: string, origin: string, method = 'POST') =>
    request(t.server)
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization,content-type');

  it.each([
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
    '/.well-known/jwks.json',
  ])('serves %s to any page', async (path) => {
    const response = await request(t.server)
      .get(path)
      .set('Origin', 'https://anyone.example')
      .expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const pre = await preflight(path, 'https://anyone.example', 'GET');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });

  it.each(['/auth/token', '/auth/revoke', '/userinfo'])(
    "answers %s from a public client's origin, never with credentials",
    async (path) => {
      const pre = await preflight(path, SPA);
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(SPA);
      expect(pre.headers['vary']).toMatch(/Origin/);
      expect(pre.headers['access-control-allow-methods']).toContain('POST');
      expect(pre.headers['access-control-allow-headers']).toContain(
        'authorization',
      );
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
      const actual = await request(t.server)
        .post(path)
        .set('Origin', SPA)
        .type('form')
        .send({});
      expect(actual.headers['access-control-allow-origin']).toBe(SPA);
      expect(actual.headers['access-control-expose-headers']).toContain(
        'WWW-Authenticate',
      );
    },
  );

  it.each([
    ['another site', 'https://evil.example'],
    ['the null origin', 'null'],
    ["a confidential client's origin (a server has no use for CORS)", SERVER],
    ['a look-alike of the client', `${SPA}.evil.example`],
  ])(
    'gives %s no Access-Control-Allow-Origin on the token endpoint',
    async (_, origin) => {
      const pre = await preflight('/auth/token', origin);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const actual = await request(t.server)
        .post('/auth/token')
        .set('Origin', origin)
        .type('form')
        .send({});
      expect(actual.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it("leaves the API's routes to CORS_ORIGINS", async () => {
    const pre = await preflight('/todos', SPA);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('follows the registry: a new public client is answered from its origin at once', async () => {
    const origin = `https://new-${Date.now()}.example.com`;
    expect(
      (await preflight('/auth/token', origin)).headers[
        'access-control-allow-origin'
      ],
    ).toBeUndefined();
    await registerClient(t, { redirect_uris: [`${origin}/cb`] });
    expect(
      (await preflight('/auth/token', origin)).headers[
        'access-control-allow-origin'
      ],
    ).toBe(origin);
  });
});
