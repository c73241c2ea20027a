import * as argon2 from 'argon2';
import request from 'supertest';
import { PASSWORD, signUp } from '../support/api.js';
import { storedUser } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('G. Password policy and storage', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The production argon2id settings (OWASP's minimum), not the suite's cheap ones.
    t = await startTestApp({
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      ARGON2_PARALLELISM: '1',
    });
  });
  afterAll(() => t.close());

  let counter = 0;
  const signup = (password: string, extra: Record<string, string> = {}) =>
    request(t.server)
      .post('/auth/signup')
      .send({ email: `g${counter++}@example.com`, password, ...extra });

  it('PWD-01: the stored hash is argon2id with m and t at or above the OWASP minimum', async () => {
    const user = await signUp(t);
    const hash = (await storedUser(t, user.id)).passwordHash;
    const [, variant, version, params] = hash.split('$');
    expect(variant).toBe('argon2id');
    expect(version).toBe('v=19');
    const values = Object.fromEntries(
      params.split(',').map((pair) => pair.split('=')),
    );
    expect(Number(values.m)).toBeGreaterThanOrEqual(19456);
    expect(Number(values.t)).toBeGreaterThanOrEqual(2);
  });

  it('PWD-02: two users with one password get different salts and hashes', async () => {
    const [a, b] = [await signUp(t), await signUp(t)];
    const [hashA, hashB] = [
      (await storedUser(t, a.id)).passwordHash,
      (await storedUser(t, b.id)).passwordHash,
    ];
    expect(hashA.split('$')[4]).not.toBe(hashB.split('$')[4]);
    expect(hashA).not.toBe(hashB);
  });

  it.each([
    [
      'argon2id with older parameters',
      { type: argon2.argon2id, memoryCost: 12288, timeCost: 3, parallelism: 1 },
    ],
    [
      'argon2i',
      { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 },
    ],
  ])(
    'PWD-03: a %s hash is upgraded at the next login',
    async (_case, options) => {
      const user = await signUp(t);
      const old = await argon2.hash(PASSWORD, options);
      await t.dataSource
        .createQueryBuilder()
        .update('users')
        .set({ passwordHash: old })
        .where('id = :id', { id: user.id })
        .execute();
      await request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password: PASSWORD })
        .expect(200);
      const upgraded = (await storedUser(t, user.id)).passwordHash;
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      await request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password: PASSWORD })
        .expect(200);
    },
  );

  it('PWD-04: 7 characters are refused, 8 accepted, and 8 emoji count as 8', async () => {
    await signup('Zq7#kLm').expect(400);
    await signup('Zq7#kLmX').expect(201);
    await signup('🦊🐻🐼🐨🐯🦁🐮🐷').expect(201);
  });

  it('PWD-05: 64 and 128 characters are accepted; 129 is a 400; 1 MB is refused at once', async () => {
    await signup('river stone '.repeat(6).slice(0, 64)).expect(201);
    await signup('ocean lantern '.repeat(10).slice(0, 128)).expect(201);
    const tooLong = await signup('x'.repeat(129)).expect(400);
    expect(JSON.stringify(tooLong.body.detail)).toContain('between 8 and 128');
    await signup('x'.repeat(1024 * 1024)).expect(413);
  });

  it('PWD-06: no composition rules: lower-case words with spaces are fine', async () => {
    await signup('correct horse battery staple x').expect(201);
  });

  it.each([
    'password1234567',
    '123456789012345',
    'qwertyuiopasdfgh',
    'iloveyou',
    'trustno1',
    'letmein123',
    'P@ssw0rd',
  ])(
    'PWD-07: the common password %j is refused with a clear message',
    async (password) => {
      const response = await signup(password).expect(400);
      expect(response.body.detail).toMatch(/too common/);
    },
  );

  it.each([
    [
      'the username',
      { username: 'nightingale', password: 'nightingale-2024-rocks' },
    ],
    [
      'the email local part',
      { email: 'florence@example.com', password: 'florence loves lamps' },
    ],
    ['the service name', { password: 'my own warden secret' }],
  ])('PWD-08: a password containing %s is refused', async (_case, body) => {
    const response = await request(t.server)
      .post('/auth/signup')
      .send({ email: `pwd08-${counter++}@example.com`, ...body })
      .expect(400);
    expect(response.body.detail).toMatch(/must not contain/);
  });

  it('PWD-10: neither the password nor its hash appears in any response', async () => {
    const password = 'unusual sapphire kettle';
    const created = await signup(password).expect(201);
    const hash = (await storedUser(t, created.body.user.id)).passwordHash;
    const responses = [
      created,
      await request(t.server)
        .get('/users/me')
        .set('Authorization', `Bearer ${created.body.access_token}`),
      await request(t.server)
        .post('/auth/login')
        .send({ username: created.body.user.username, password: 'wrong one' }),
      await request(t.server)
        .post('/auth/signup')
        .send({ email: created.body.user.email, password }),
    ];
    for (const response of responses) {
      expect(response.text).not.toContain(password);
      expect(response.text).not.toContain(hash);
      expect(response.text).not.toContain('$argon2');
    }
  });
});
