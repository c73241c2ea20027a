import request from 'supertest';
import { appAndUserForSuite } from '../support/suite.js';
import { PASSWORD, bearer } from '../support/api.js';

describe('L. Headers, transport and configuration', () => {
  const { t, user } = appAndUserForSuite();

  const sample = () => [
    request(t.server).get('/'),
    request(t.server).get('/users/me').set(bearer(user.accessToken)),
    request(t.server).get('/users/me'),
    request(t.server).get('/nope'),
    request(t.server)
      .post('/auth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'x', password: 'y' }),
  ];

  it('HDR-01: nosniff on every response, and no X-Powered-By', async () => {
    for (const response of await Promise.all(sample())) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('HDR-02: JSON responses say application/json; charset=utf-8, errors application/problem+json (RFC 9457) outside the OAuth endpoints', async () => {
    const [welcome, me, noToken, unknown, token] = await Promise.all(sample());
    for (const response of [welcome, me, token])
      expect(response.headers['content-type']).toBe(
        'application/json; charset=utf-8',
      );
    for (const response of [noToken, unknown])
      expect(response.headers['content-type']).toBe(
        'application/problem+json; charset=utf-8',
      );
  });

  it('HDR-03: token, login, signup, profile and todo responses are not cached (Pragma too on /token)', async () => {
    const token = await request(t.server)
      .post('/auth/token')
      .type('form')
      .send({
        grant_type: 'password',
        username: user.username,
        password: PASSWORD,
      });
    expect(token.headers['pragma']).toBe('no-cache');
    const responses = [
      token,
      await request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password: PASSWORD }),
      await request(t.server)
        .post('/auth/signup')
        .send({ email: 'hdr03@example.com', password: PASSWORD }),
      await request(t.server).get('/users/me').set(bearer(user.accessToken)),
      await request(t.server).get('/todos').set(bearer(user.accessToken)),
      await request(t.server)
        .post('/todos')
        .set(bearer(user.accessToken))
        .send({ title: 'x' }),
    ];
    for (const response of responses)
      expect(response.headers['cache-control']).toBe('no-store');
  });

  it('HDR-04: Strict-Transport-Security with a year and subdomains', async () => {
    const response = await request(t.server).get('/');
    expect(response.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it("HDR-05: CSP default-src 'none' and frame-ancestors 'none'; Referrer-Policy no-referrer", async () => {
    const response = await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken));
    expect(response.headers['content-security-policy']).toMatch(
      /default-src 'none'/,
    );
    expect(response.headers['content-security-policy']).toMatch(
      /frame-ancestors 'none'/,
    );
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('HDR-06: without CORS_ORIGINS no origin is allowed, not even with a preflight', async () => {
    const preflight = await request(t.server)
      .options('/todos')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await request(t.server)
      .get('/posts')
      .set('Origin', 'https://evil.example');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('CFG-04: a unique violation is a 409 without SQL; a failing query is a generic 500 without details', async () => {
    const conflict = await request(t.server)
      .post('/auth/signup')
      .send({ email: user.email, password: PASSWORD })
      .expect(409);
    expect(conflict.text).not.toMatch(
      /UNIQUE|constraint|SQL|INSERT|duplicate key/i,
    );

    await t.dataSource.query('DROP TABLE "posts"');
    const failure = await request(t.server).get('/posts').expect(500);
    expect(failure.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Internal server error',
    });
    expect(failure.text).not.toMatch(
      /posts|SQL|SELECT|relation|no such table|at /i,
    );
  });
});
