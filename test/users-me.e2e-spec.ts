import request from 'supertest';
import { PASSWORD, bearer, signUp, type TestUser } from './support/api.js';
import { storedUser } from './support/database.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('/users/me', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    user = await signUp(t, { fullName: 'Original Name' });
  });
  afterAll(() => t.close());

  it('GET shows exactly the whitelisted fields, with no-store', async () => {
    const response = await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      id: user.id,
      username: user.username,
      email: user.email,
      emailVerified: false,
      emailVerifiedAt: null,
      fullName: 'Original Name',
      roles: ['user'],
      disabled: false,
      mfaEnabled: false,
      createdAt: expect.stringMatching(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      ),
      updatedAt: expect.any(String),
    });
  });

  it('PATCH changes the full name and username, and the change is visible afterwards', async () => {
    const username = `${user.username}_x`.slice(0, 32);
    const response = await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ fullName: 'New Name', username })
      .expect(200);
    expect(response.body).toMatchObject({ fullName: 'New Name', username });
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect((me) =>
        expect(me.body).toMatchObject({ fullName: 'New Name', username }),
      );
    user.username = username;
  });

  it.each([
    [{ roles: ['admin'] }, 'property roles should not exist'],
    [{ isAdmin: true }, 'property isAdmin should not exist'],
    [{ passwordHash: 'x' }, 'property passwordHash should not exist'],
    [
      { id: '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14' },
      'property id should not exist',
    ],
    [
      { createdAt: '2000-01-01T00:00:00Z' },
      'property createdAt should not exist',
    ],
    [{ disabled: true }, 'property disabled should not exist'],
    [{ username: 'no spaces allowed' }, 'username must be 3-32'],
    [{ fullName: 42 }, 'fullName must be a string'],
    [{ email: 'nope' }, 'email must be a valid email address'],
  ])(
    'PATCH refuses %j with a 400 and changes nothing',
    async (body, message) => {
      const before = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken));
      const response = await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send(body)
        .expect(400);
      expect(JSON.stringify(response.body.detail)).toContain(message);
      const after = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken));
      expect(after.body).toEqual(before.body);
      expect((await storedUser(t, user.id)).roles).toBe('user');
    },
  );

  it('PATCH of the email needs the current password, and only asks for the change (the link mailed to the new address makes it)', async () => {
    await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ email: 'moved@example.com' })
      .expect(400)
      .expect((r) =>
        expect(r.body.detail).toMatch(/currentPassword is required/),
      );
    await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ email: 'moved@example.com', currentPassword: 'wrong password' })
      .expect(403);
    expect((await storedUser(t, user.id)).email).toBe(user.email);
    const response = await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ email: 'Moved@Example.com', currentPassword: PASSWORD })
      .expect(200);
    expect(response.body).toMatchObject({
      email: user.email,
      pendingEmail: 'moved@example.com',
    });
    expect((await storedUser(t, user.id)).email).toBe(user.email);
    await request(t.server)
      .post('/auth/login')
      .send({ username: 'moved@example.com', password: PASSWORD })
      .expect(401);
  });

  it('PATCH answers 409 when the new username belongs to someone else; a taken email is not told (see test/security/m-email-change.e2e-spec.ts)', async () => {
    const other = await signUp(t);
    await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ username: other.username.toUpperCase() })
      .expect(409);
    const taken = await request(t.server)
      .patch('/users/me')
      .set(bearer(user.accessToken))
      .send({ email: other.email, currentPassword: PASSWORD })
      .expect(200);
    expect(taken.body.pendingEmail).toBe(other.email);
    expect(taken.body.email).toBe(user.email);
  });

  it('needs a token', async () => {
    await request(t.server).get('/users/me').expect(401);
    await request(t.server)
      .patch('/users/me')
      .send({ fullName: 'x' })
      .expect(401);
  });
});
