import request from 'supertest';
import {
  PASSWORD,
  bearer,
  disableUser,
  makeAdmin,
  signUp,
  type TestUser,
} from '../support/api.js';
import { storedUser } from '../support/database.js';
import { decodeClaims } from '../support/jwt.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INVALID_TOKEN = 'Bearer realm="warden", error="invalid_token"';

describe('B. JSON auth, signup, account (/auth/*, /users/me)', () => {
  let t: TestApp;
  let user: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_FAILURE_LIMIT: '3',
      TRUST_PROXY: '127.0.0.1',
    });
    user = await signUp(t);
    admin = await makeAdmin(t, await signUp(t));
  });
  afterAll(() => t.close());

  const login = (body: Record<string, unknown>, ip = '192.0.2.1') =>
    request(t.server).post('/auth/login').set('X-Forwarded-For', ip).send(body);

  it('AUTH-01: JSON login answers 200 with tokens and no-store', async () => {
    const response = await login({
      username: user.username,
      password: PASSWORD,
    }).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
  });

  it('AUTH-02: a wrong password and an unknown user get identical answers', async () => {
    const wrong = await login({
      username: user.username,
      password: 'wrong password',
    }).expect(401);
    const unknown = await login({
      username: 'nobody_known',
      password: 'wrong password',
    }).expect(401);
    expect(unknown.text).toBe(wrong.text);
    expect(unknown.headers['www-authenticate']).toBe(
      wrong.headers['www-authenticate'],
    );
  });

  it('AUTH-03: credentials in the query string are never used', async () => {
    const response = await request(t.server).post(
      `/auth/login?username=${user.username}&password=${encodeURIComponent(PASSWORD)}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.access_token).toBeUndefined();
  });

  it('AUTH-04: an empty body or a missing field is a 400', async () => {
    await login({}).expect(400);
    await login({ username: user.username }).expect(400);
    await login({ password: PASSWORD }).expect(400);
  });

  it('AUTH-05: signup answers 201 without any password field; the stored hash is argon2id', async () => {
    const response = await request(t.server)
      .post('/auth/signup')
      .send({ email: 'auth05@example.com', password: PASSWORD })
      .expect(201);
    expect(JSON.stringify(response.body)).not.toMatch(/password/i);
    expect((await storedUser(t, response.body.user.id)).passwordHash).toMatch(
      /^\$argon2id\$/,
    );
  });

  it('AUTH-06: signup with role, isAdmin, id or passwordHash is a 400 and persists nothing', async () => {
    for (const extra of [
      { role: 'admin' },
      { isAdmin: true },
      { id: 1 },
      { passwordHash: 'x' },
    ]) {
      await request(t.server)
        .post('/auth/signup')
        .send({ email: 'auth06@example.com', password: PASSWORD, ...extra })
        .expect(400);
    }
    await login({ username: 'auth06@example.com', password: PASSWORD }).expect(
      401,
    );
  });

  it('AUTH-07: signup with a taken username or email is a 409 (the documented choice; signup is rate-limited)', async () => {
    await request(t.server)
      .post('/auth/signup')
      .send({ email: user.email, password: PASSWORD })
      .expect(409);
    await request(t.server)
      .post('/auth/signup')
      .send({
        email: 'auth07@example.com',
        username: user.username,
        password: PASSWORD,
      })
      .expect(409);
  });

  it('AUTH-08: two logins give different jtis and refresh tokens', async () => {
    const first = await login({
      username: user.username,
      password: PASSWORD,
    }).expect(200);
    const second = await login({
      username: user.username,
      password: PASSWORD,
    }).expect(200);
    expect(decodeClaims(first.body.access_token).jti).not.toBe(
      decodeClaims(second.body.access_token).jti,
    );
    expect(first.body.refresh_token).not.toBe(second.body.refresh_token);
  });

  it.each([
    ['admin', 'admin'],
    ['root', 'root'],
    ['sa', 'sa'],
    ['test', 'test'],
  ])(
    'AUTH-11: default credentials %s/%s are refused',
    async (username, password) => {
      await login({ username, password }, '192.0.2.11').expect(401);
      const token = await request(t.server)
        .post('/auth/token')
        .type('form')
        .set('X-Forwarded-For', '192.0.2.11')
        .send({ grant_type: 'password', username, password });
      expect(token.status).toBe(400);
      expect(token.body.error).toBe('invalid_grant');
    },
  );

  it('AUTH-12: the unexpired access token of a disabled, then of a deleted, user is refused', async () => {
    const disabled = await signUp(t);
    await request(t.server)
      .get('/users/me')
      .set(bearer(disabled.accessToken))
      .expect(200);
    await disableUser(t, admin, disabled.id);
    const refused = await request(t.server)
      .get('/users/me')
      .set(bearer(disabled.accessToken))
      .expect(401);
    expect(refused.headers['www-authenticate']).toBe(INVALID_TOKEN);

    const deleted = await signUp(t);
    const stale = await login({
      username: deleted.username,
      password: PASSWORD,
    }).expect(200);
    await request(t.server)
      .delete('/users/me')
      .set(bearer(deleted.accessToken))
      .send({ password: PASSWORD })
      .expect(204);
    await request(t.server)
      .get('/users/me')
      .set(bearer(stale.body.access_token))
      .expect(401);
  });

  it('AUTH-13: /auth/login has the token endpoint’s controls (TOK-06, TOK-16, TOK-17, RL-02)', async () => {
    await login({ username: '', password: PASSWORD }).expect(400);
    await login({ username: user.username, password: 12345 }).expect(400);
    await request(t.server)
      .post('/auth/login')
      .type('form')
      .send(`username=${user.username}&password=a&password=b`)
      .expect(400);
    const disabled = await signUp(t);
    await disableUser(t, admin, disabled.id);
    const disabledAnswer = await login({
      username: disabled.username,
      password: PASSWORD,
    }).expect(401);
    const wrongAnswer = await login({
      username: user.username,
      password: 'wrong password',
    }).expect(401);
    expect(disabledAnswer.text).toBe(wrongAnswer.text);
    const victim = await signUp(t);
    for (let i = 0; i < 3; i++) {
      await login(
        { username: victim.username, password: 'wrong password' },
        `192.0.2.${20 + i}`,
      ).expect(401);
    }
    await login(
      { username: victim.username, password: PASSWORD },
      '192.0.2.30',
    ).expect(429);
  });

  it('AUTH-15: /users/me shows only whitelisted fields', async () => {
    const response = await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
    expect(Object.keys(response.body).sort()).toEqual([
      'createdAt',
      'disabled',
      'email',
      'emailVerified',
      'emailVerifiedAt',
      'fullName',
      'id',
      'mfaEnabled',
      'roles',
      'updatedAt',
      'username',
    ]);
  });
});
