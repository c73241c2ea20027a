import request from 'supertest';
import { appForSuite } from './support/suite.js';
import { signUp } from './support/api.js';

describe('Meta routes, headers and HTTP-level input handling', () => {
  const t = appForSuite();

  it('GET / welcomes and points at the docs', async () => {
    await request(t.server)
      .get('/')
      .expect(200, { message: 'Welcome to Warden', docs: '/docs' });
  });

  it('GET /health/live and /health/ready answer 200 while the database answers', async () => {
    await request(t.server).get('/health/live').expect(200);
    const ready = await request(t.server).get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('serves only the ID-token keys in HS256 mode (the access-token secret is never published)', async () => {
    const jwks = await request(t.server)
      .get('/.well-known/jwks.json')
      .expect(200);
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' }),
      expect.objectContaining({ kty: 'EC', alg: 'ES256', use: 'sig' }),
    ]);
    expect(JSON.stringify(jwks.body)).not.toMatch(/"(d|p|q|dp|dq|qi|k)"/);
  });

  it("answers what Fastify's router refuses (an over-long path segment, a URL it cannot decode) as problem details, without echoing the path", async () => {
    const segment = 's3cr3t'.repeat(40);
    const long = await request(t.server).get(`/todos/${segment}`).expect(414);
    const bad = await request(t.server).get('/todos/%E0%A4%A').expect(400);
    for (const [response, status, detail] of [
      [long, 414, 'A segment of the path is too long'],
      [bad, 400, 'The URL is not valid'],
    ] as const) {
      expect(response.headers['content-type']).toMatch(
        /^application\/problem\+json/,
      );
      expect(response.body).toEqual({
        type: 'about:blank',
        title: response.status === 414 ? 'URI Too Long' : 'Bad Request',
        status,
        detail,
      });
    }
    expect(long.text).not.toContain('s3cr3t');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await request(t.server).get('/nope').expect(404);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /nope',
    });
  });

  it('serves Swagger UI at /docs with a CSP that lets it run', async () => {
    const response = await request(t.server)
      .get('/docs')
      .redirects(1)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.headers['content-security-policy']).toMatch(
      /default-src 'self'/,
    );
  });

  describe('the OpenAPI document at /docs-json', () => {
    let document: {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: Record<string, string[]>[];
            operationId: string;
            responses: Record<string, unknown>;
          }
        >
      >;
      components: { securitySchemes: Record<string, Record<string, unknown>> };
    };
    beforeAll(async () => {
      document = (await request(t.server).get('/docs-json').expect(200)).body;
    });

    it('offers a bearer scheme and the OAuth2 password flow with described scopes', () => {
      expect(document.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(document.components.securitySchemes.oauth2).toMatchObject({
        type: 'oauth2',
        flows: {
          password: {
            tokenUrl: '/auth/token',
            scopes: expect.objectContaining({
              account: expect.any(String),
              'todos:write': expect.any(String),
            }),
          },
        },
      });
    });

    it('gives every operation a unique operationId', () => {
      const ids = Object.values(document.paths).flatMap((item) =>
        Object.values(item).map((op) => op.operationId),
      );
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  it('serves the token it issued to the guarded /protected route', async () => {
    const user = await signUp(t);
    await request(t.server)
      .get('/protected')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(200);
  });
});
