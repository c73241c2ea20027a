import request from 'supertest';
import { appForSuite } from './support/suite.js';
import { PASSWORD, signUp } from './support/api.js';
import { storedUser } from './support/database.js';

describe('POST /auth/signup', () => {
  const t = appForSuite();

  const countUsers = async () =>
    Number(
      (await t.dataSource.query('SELECT COUNT(*) AS n FROM "users"'))[0].n,
    );

  it('creates the user and answers 201 with a token response, the user and no-store', async () => {
    const response = await request(t.server)
      .post('/auth/signup')
      .send({
        email: 'Ada@Example.COM',
        password: PASSWORD,
        username: 'ada',
        fullName: 'Ada Lovelace',
      })
      .expect(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 900,
      scope: 'account todos:read todos:write posts:write',
      user: {
        username: 'ada',
        email: 'ada@example.com',
        fullName: 'Ada Lovelace',
        roles: ['user'],
        disabled: false,
      },
    });
    expect(typeof response.body.access_token).toBe('string');
    expect(Object.keys(response.body.user).sort()).toEqual([
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
    expect(JSON.stringify(response.body)).not.toMatch(
      /passwordHash|argon2|correct horse/,
    );

    const row = await storedUser(t, response.body.user.id);
    expect(row.email).toBe('ada@example.com');
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$/);

    await request(t.server)
      .get('/users/me')
      .set('Authorization', `Bearer ${response.body.access_token}`)
      .expect(200);
  });

  it('is also served at /user/signup and accepts fullname as an alias of fullName', async () => {
    const response = await request(t.server)
      .post('/user/signup')
      .send({
        email: 'alias@example.com',
        password: PASSWORD,
        fullname: 'Alias Person',
      })
      .expect(201);
    expect(response.body.user.fullName).toBe('Alias Person');
  });

  it('derives a valid, free username from the email when none is given', async () => {
    const first = await request(t.server)
      .post('/auth/signup')
      .send({ email: 'grace.hopper+navy@example.com', password: PASSWORD })
      .expect(201);
    expect(first.body.user.username).toBe('grace.hopper_navy');
    const second = await request(t.server)
      .post('/auth/signup')
      .send({ email: 'GRACE.hopper+navy@example.org', password: PASSWORD })
      .expect(201);
    expect(second.body.user.username).toMatch(/^grace\.hopper_navy-\d{4}$/);
  });

  it.each([
    [{ roles: ['admin'] }, 'property roles should not exist'],
    [{ isAdmin: true }, 'property isAdmin should not exist'],
    [
      { id: '3f1c8a52-7d2e-4b8e-9a51-0c7f2b9d6e14' },
      'property id should not exist',
    ],
    [{ passwordHash: 'x' }, 'property passwordHash should not exist'],
    [{ disabled: false }, 'property disabled should not exist'],
  ])(
    'rejects the extra field %j with a 400 that names it and creates nothing',
    async (extra, message) => {
      const before = await countUsers();
      const response = await request(t.server)
        .post('/auth/signup')
        .send({ email: 'mallory@example.com', password: PASSWORD, ...extra })
        .expect(400);
      expect(response.body.detail).toContain(message);
      expect(await countUsers()).toBe(before);
    },
  );

  it.each([
    [{ password: PASSWORD }, 'email'],
    [
      { email: 'not-an-email', password: PASSWORD },
      'email must be a valid email address',
    ],
    [{ email: `${'a'.repeat(250)}@example.com`, password: PASSWORD }, 'email'],
    [
      { email: 'short@example.com', password: 'seven77' },
      'password must be between 8 and 128 characters long',
    ],
    [
      { email: 'long@example.com', password: 'x'.repeat(129) },
      'password must be between 8 and 128 characters long',
    ],
    [{ email: 'num@example.com', password: 12345678 }, 'password'],
    [
      { email: 'user@example.com', password: PASSWORD, username: 'ab' },
      'username must be 3-32',
    ],
    [
      { email: 'user@example.com', password: PASSWORD, username: 'has space' },
      'username must be 3-32',
    ],
    [
      {
        email: 'user@example.com',
        password: PASSWORD,
        username: 'line\nbreak',
      },
      'username must be 3-32',
    ],
    [
      {
        email: 'user@example.com',
        password: PASSWORD,
        username: 'rtl\u202Eoverride',
      },
      'username must be 3-32',
    ],
    [
      {
        email: 'user@example.com',
        password: PASSWORD,
        fullName: 'x'.repeat(101),
      },
      'fullName',
    ],
    [
      {
        email: 'user@example.com',
        password: PASSWORD,
        username: 'x'.repeat(33),
      },
      'username must be 3-32',
    ],
  ])('rejects %j with a 400 naming %s', async (body, message) => {
    const before = await countUsers();
    const response = await request(t.server)
      .post('/auth/signup')
      .send(body)
      .expect(400);
    expect(JSON.stringify(response.body.detail)).toContain(message);
    expect(await countUsers()).toBe(before);
  });

  it('counts password length in code points: eight emoji are eight characters', async () => {
    await request(t.server)
      .post('/auth/signup')
      .send({ email: 'emoji@example.com', password: '🦊🐻🐼🐨🐯🦁🐮🐷' })
      .expect(201);
    await request(t.server)
      .post('/auth/signup')
      .send({ email: 'emoji7@example.com', password: '🦊🐻🐼🐨🐯🦁🐮' })
      .expect(400);
  });

  it.each([
    [
      'contains the username',
      { username: 'margaret', password: 'margaret-loves-apollo' },
    ],
    [
      'contains the email local part',
      { email: 'hamilton@example.com', password: 'my hamilton password' },
    ],
    [
      'equals the email',
      { email: 'equal@example.com', password: 'equal@example.com' },
    ],
    ['contains the service name', { password: 'my warden password' }],
  ])('rejects a password that %s', async (_case, body) => {
    const response = await request(t.server)
      .post('/auth/signup')
      .send({ email: 'policy@example.com', ...body })
      .expect(400);
    expect(response.body.detail).toMatch(/password must not contain/);
  });

  it('answers 409 for an email or username already taken, whatever its case', async () => {
    const user = await signUp(t);
    await request(t.server)
      .post('/auth/signup')
      .send({ email: user.email.toUpperCase(), password: PASSWORD })
      .expect(409)
      .expect((response) => expect(response.body.detail).toMatch(/email/));
    await request(t.server)
      .post('/auth/signup')
      .send({
        email: 'other@example.net',
        username: user.username.toUpperCase(),
        password: PASSWORD,
      })
      .expect(409)
      .expect((response) => expect(response.body.detail).toMatch(/username/));
  });

  it('lets exactly one of two concurrent signups with one email through', async () => {
    const body = { email: 'race@example.com', password: PASSWORD };
    const statuses = await Promise.all([
      request(t.server)
        .post('/auth/signup')
        .send({ ...body, username: 'racer_one' }),
      request(t.server)
        .post('/auth/signup')
        .send({ ...body, username: 'racer_two' }),
    ]).then((responses) => responses.map((r) => r.status).sort());
    expect(statuses).toEqual([201, 409]);
    const [row] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM "users" WHERE "email" = 'race@example.com'`,
    );
    expect(Number(row.n)).toBe(1);
  });

  it('gives two users with the same password different salts and hashes', async () => {
    const a = await signUp(t);
    const b = await signUp(t);
    const [hashA, hashB] = [
      await storedUser(t, a.id),
      await storedUser(t, b.id),
    ].map((row) => row.passwordHash);
    expect(hashA).toMatch(/^\$argon2id\$/);
    expect(hashA.split('$')[4]).not.toBe(hashB.split('$')[4]);
    expect(hashA).not.toBe(hashB);
  });

  it('answers 400, not 500, to malformed JSON, and 415 to an unsupported content type', async () => {
    const malformed = await request(t.server)
      .post('/auth/signup')
      .set('Content-Type', 'application/json')
      .send('{"email":')
      .expect(400);
    expect(malformed.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
    });
    expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.js/);
    await request(t.server)
      .post('/auth/signup')
      .set('Content-Type', 'application/xml')
      .send('<email/>')
      .expect(415);
  });
});
