import request from 'supertest';
import { appAndUserForSuite } from './support/suite.js';
import { PASSWORD, signUp } from './support/api.js';

const LOGIN_PATHS = ['/auth/login', '/login', '/user/login'];

describe('POST /auth/login (also /login and /user/login)', () => {
  const { t, user } = appAndUserForSuite();

  it.each(LOGIN_PATHS)(
    '%s accepts JSON and answers 200 with a token response and no-store',
    async (path) => {
      const response = await request(t.server)
        .post(path)
        .send({ username: user.username, password: PASSWORD })
        .expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['pragma']).toBe('no-cache');
      expect(response.body).toMatchObject({
        token_type: 'bearer',
        expires_in: 900,
      });
      await request(t.server)
        .get('/users/me')
        .set('Authorization', `Bearer ${response.body.access_token}`)
        .expect(200)
        .expect((me) => expect(me.body.id).toBe(user.id));
    },
  );

  it.each(LOGIN_PATHS)('%s accepts a form body', async (path) => {
    await request(t.server)
      .post(path)
      .type('form')
      .send({ username: user.username, password: PASSWORD })
      .expect(200);
  });

  it('matches the identifier against usernames and emails, case-insensitively, and takes `email` too', async () => {
    for (const body of [
      { username: user.email.toUpperCase(), password: PASSWORD },
      { username: user.username.toUpperCase(), password: PASSWORD },
      { email: user.email, password: PASSWORD },
    ]) {
      await request(t.server).post('/auth/login').send(body).expect(200);
    }
  });

  it('issues a different jti on every login', async () => {
    const jtis = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const response = await request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password: PASSWORD })
        .expect(200);
      jtis.add(
        JSON.parse(
          Buffer.from(
            response.body.access_token.split('.')[1],
            'base64url',
          ).toString(),
        ).jti,
      );
    }
    expect(jtis.size).toBe(2);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrong = await request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password: 'not the password' })
      .expect(401);
    const unknown = await request(t.server)
      .post('/auth/login')
      .send({ username: 'nobody_here', password: 'not the password' })
      .expect(401);
    expect(wrong.body).toEqual({
      type: 'http://localhost:3000/problems/invalid_credentials',
      title: 'Incorrect username or password',
      status: 401,
      detail: 'Incorrect username or password',
      error: 'invalid_credentials',
    });
    expect(unknown.body).toEqual(wrong.body);
    const headersOf = (r: request.Response) => {
      // Only the date and the per-request id may differ.
      const { date: _date, 'x-request-id': _id, ...rest } = r.headers;
      return rest;
    };
    expect(headersOf(unknown)).toEqual(headersOf(wrong));
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="warden"');
  });

  it.each([
    ['admin', 'admin'],
    ['root', 'root'],
    ['test', 'test1234'],
  ])('refuses default credentials %s/%s', async (username, password) => {
    await request(t.server)
      .post('/auth/login')
      .send({ username, password })
      .expect(401);
  });

  it.each([
    ['an empty body', {}],
    ['no password', { username: 'someone' }],
    ['no username', { password: PASSWORD }],
    ['an empty username', { username: '', password: PASSWORD }],
    ['an empty password', { username: 'someone', password: '' }],
    [
      'an empty username beside an email',
      { username: '', email: 'someone@example.com', password: PASSWORD },
    ],
    ['an empty email', { email: '', password: PASSWORD }],
    ['a numeric password', { username: 'someone', password: 12345 }],
    ['an array password', { username: 'someone', password: ['a', 'b'] }],
    ['an object username', { username: { $ne: null }, password: PASSWORD }],
    [
      'an extra field',
      { username: 'someone', password: PASSWORD, admin: true },
    ],
  ])('answers 400 (never 401 or 500) to %s', async (_case, body) => {
    const response = await request(t.server)
      .post('/auth/login')
      .send(body)
      .expect(400);
    expect(response.headers['content-type']).toMatch(
      /^application\/problem\+json/,
    );
    expect(response.body.status).toBe(400);
  });

  it('answers 400 to a form with a repeated password or a bracketed field', async () => {
    await request(t.server)
      .post('/auth/login')
      .type('form')
      .send(`username=${user.username}&password=a&password=b`)
      .expect(400);
    await request(t.server)
      .post('/auth/login')
      .type('form')
      .send(`username=${user.username}&password[x]=1`)
      .expect(400);
  });

  it('never reads credentials from the query string', async () => {
    const query = `?username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(PASSWORD)}`;
    await request(t.server).post(`/auth/login${query}`).expect(400);
    await request(t.server).post(`/auth/login${query}`).send({}).expect(400);
    // With an email in the body, passport-local would look for `username` in the query.
    await request(t.server)
      .post(`/auth/login?username=${encodeURIComponent(user.username)}`)
      .send({ email: 'nobody@example.com', password: PASSWORD })
      .expect(401);
  });

  it('answers a disabled account with the same 401 as a wrong password', async () => {
    const disabled = await signUp(t);
    await t.dataSource
      .createQueryBuilder()
      .update('users')
      .set({ disabled: true })
      .where('id = :id', { id: disabled.id })
      .execute();
    const response = await request(t.server)
      .post('/auth/login')
      .send({ username: disabled.username, password: PASSWORD })
      .expect(401);
    expect(response.body.detail).toBe('Incorrect username or password');
  });

  it('rejects a password over 128 characters with 400 before hashing it', async () => {
    await request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password: 'x'.repeat(129) })
      .expect(400);
  });
});
