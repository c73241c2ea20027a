import request from 'supertest';
import { bearer, signUp, type TestUser } from '../support/api.js';
import { storedUser } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const fullwidth = (text: string) =>
  text.replace(/[a-z]/g, (c) =>
    String.fromCodePoint(c.codePointAt(0)! - 0x61 + 0xff41),
  );

/**
 * Identities that cannot be confused: an email or username that looks like an existing one is
 * that account (409) or is refused (400), never a second account; names shown publicly cannot
 * reorder or hide text; passwords match however the keyboard composed them.
 */
describe('B. Look-alike identifiers and Unicode passwords', () => {
  let t: TestApp;
  let jane: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    jane = await signUp(t, {
      username: 'jane_lookalike',
      email: 'jane.lookalike@example.com',
    });
  });
  afterAll(() => t.close());

  const signup = (fields: Record<string, string>) =>
    request(t.server)
      .post('/auth/signup')
      .send({ password: 'a perfectly fine passphrase', ...fields });

  it.each([
    ['upper case', 'JANE.LOOKALIKE@EXAMPLE.COM'],
    ['fullwidth letters', fullwidth('jane.lookalike@example.com')],
    ['a fullwidth at sign', 'jane.lookalike\uff20example.com'],
    ['a compatibility letter (script e)', 'jane.lookalik\u212f@example.com'],
  ])(
    'an email that differs by %s is the same account (409)',
    async (_what, email) => {
      const response = await signup({ email });
      expect(response.status, JSON.stringify(response.body)).toBe(409);
    },
  );

  it.each([
    ['a zero-width space', 'jane.look\u200balike@example.com'],
    ['a zero-width joiner', 'jane.look\u200dalike@example.com'],
    ['a soft hyphen', 'jane.look\u00adalike@example.com'],
    ['a right-to-left override', '\u202ejane.lookalike@example.com'],
    ['a left-to-right mark', 'jane.lookalike\u200e@example.com'],
    ['a Cyrillic а among Latin letters', 'j\u0430ne.lookalike@example.com'],
    ['a Greek ο in the domain', 'jane.lookalike@exampl\u03bf.com'],
    ['a control character', 'jane.look\u0007alike@example.com'],
  ])('an email with %s is refused (400)', async (_what, email) => {
    const response = await signup({ email });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(JSON.stringify(response.body.detail)).toMatch(
      /invisible|control or bidi|mix letters of different scripts/,
    );
    // The same rule holds when an existing account changes its email.
    await request(t.server)
      .patch('/users/me')
      .set(bearer(jane.accessToken))
      .send({ email, currentPassword: jane.password })
      .expect(400);
  });

  it('a single-script international address is welcome, and stored normalised', async () => {
    const response = await signup({ email: 'ｍａｒｉｅ@ÉXAMPLE.com' });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.user.email).toBe('marie@éxample.com');
    const cyrillic = await signup({ email: 'иван@пример.рф' });
    expect(cyrillic.status, JSON.stringify(cyrillic.body)).toBe(201);
  });

  it.each([
    ['fullwidth letters', fullwidth('jane_lookalike')],
    ['a different case', 'JANE_LOOKALIKE'],
  ])(
    'a username that differs by %s is taken (409)',
    async (_what, username) => {
      const response = await signup({
        email: `other${Date.now()}@example.com`,
        username,
      });
      expect(response.status, JSON.stringify(response.body)).toBe(409);
    },
  );

  it.each([
    ['a zero-width space', 'jane_look\u200balike'],
    ['a Cyrillic а', 'j\u0430ne_lookalike'],
    ['a bidi override', '\u202ejane_lookalike'],
  ])('a username with %s is refused (400)', async (_what, username) => {
    await signup({ email: `x${Date.now()}@example.com`, username }).expect(400);
  });

  it('logs in with a look-alike spelling of the identifier it was given', async () => {
    for (const username of [
      fullwidth('jane_lookalike'),
      'JANE.LOOKALIKE@EXAMPLE.COM',
      fullwidth('jane.lookalike@example.com'),
    ]) {
      await request(t.server)
        .post('/auth/login')
        .send({ username, password: jane.password })
        .expect(200);
    }
  });

  it('fullName refuses bidi overrides, controls and line breaks, and keeps real names', async () => {
    for (const fullName of [
      'Jane\u202eeoD',
      'Jane\nDoe',
      'Jane\u0000',
      'Jane\u2029',
    ]) {
      await request(t.server)
        .patch('/users/me')
        .set(bearer(jane.accessToken))
        .send({ fullName })
        .expect(400);
    }
    for (const fullName of [
      'Zoë Ångström',
      'محمد علي',
      '山田 太郎',
      'Jane 👩‍💻',
    ]) {
      const response = await request(t.server)
        .patch('/users/me')
        .set(bearer(jane.accessToken))
        .send({ fullName })
        .expect(200);
      expect(response.body.fullName).toBe(fullName.normalize('NFC'));
    }
  });

  it('a password matches whether its accents were typed composed (NFC) or decomposed (NFD)', async () => {
    const composed = 'crème brûlée à la façon';
    const user = await signUp(t, { password: composed.normalize('NFD') });
    for (const form of ['NFC', 'NFD'] as const) {
      await request(t.server)
        .post('/auth/login')
        .send({ username: user.username, password: composed.normalize(form) })
        .expect(200);
    }
    await request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password: 'creme brulee a la facon' })
      .expect(401);
  });

  it('a hash made before normalisation (of a non-NFC password) still verifies', async () => {
    const user = await signUp(t);
    const decomposed = 'pa\u0301ssword from an older release';
    const argon2 = await import('argon2');
    await t.dataSource
      .createQueryBuilder()
      .update('users')
      .set({ passwordHash: await argon2.hash(decomposed) })
      .where('id = :id', { id: user.id })
      .execute();
    await request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password: decomposed })
      .expect(200);
    expect((await storedUser(t, user.id)).passwordHash).toMatch(
      /^\$argon2id\$/,
    );
  });
});
