import { Logger } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  bearer,
  makeAdmin,
  PASSWORD,
  signUp,
  tokenRequest,
  type TestUser,
} from './support/api.js';
import { storedUser, testDatabaseKind } from './support/database.js';
import {
  linkToken,
  sentTo,
  relaySettings,
  startSmtp,
  type TestSmtp,
} from './support/smtp.js';
import { until } from './support/until.js';
import { freePort } from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase 2026';
const INVALID = {
  type: 'http://localhost:3000/problems/invalid_or_expired_token',
  title: 'The link is invalid or has expired; ask for a new one',
  status: 400,
  detail: 'The link is invalid or has expired; ask for a new one',
  error: 'invalid_or_expired_token',
};

/** Mails to `address` whose subject matches, in arrival order. */
const mailsTo = (smtp: TestSmtp, address: string, subject: RegExp) =>
  smtp.received.filter(
    (mail) => sentTo(address)(mail) && subject.test(mail.subject ?? ''),
  );

const waitForMail = (smtp: TestSmtp, address: string, subject: RegExp) =>
  smtp.waitFor(
    (mail) => sentTo(address)(mail) && subject.test(mail.subject ?? ''),
  );

/** Waits for the `n`th mail (1-based) to `address` with that subject. */
async function nthMail(
  smtp: TestSmtp,
  address: string,
  subject: RegExp,
  n: number,
): Promise<ParsedMail> {
  await until(
    () => Promise.resolve(mailsTo(smtp, address, subject).length),
    (count) => count >= n,
  );
  return mailsTo(smtp, address, subject)[n - 1];
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe(`Account mail flows (${testDatabaseKind()})`, () => {
  let smtp: TestSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({
      ...relaySettings(smtp.port),
      LOGIN_FAILURE_LIMIT: '3',
      ACCOUNT_URL: 'https://app.example.com/account',
      // A front end with hash routing takes reset links at a page of its own.
      PASSWORD_RESET_URL: 'https://app.example.com/#/reset?token=',
      PRODUCT_NAME: 'Acme Notes',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const forgot = (email: string) =>
    request(t.server).post('/auth/password/forgot').send({ email });
  const reset = (token: string, newPassword = NEW_PASSWORD) =>
    request(t.server).post('/auth/password/reset').send({ token, newPassword });
  const verify = (token: string, password = PASSWORD) =>
    request(t.server).post('/auth/email/verify').send({ token, password });
  const login = (user: TestUser, password: string) =>
    request(t.server)
      .post('/auth/login')
      .send({ username: user.username, password });

  describe('email verification', () => {
    it('signup mails a single-use link; using it verifies the address', async () => {
      const user = await signUp(t);
      const mail = await waitForMail(smtp, user.email, /Confirm your email/);
      expect(mail.subject).toBe('Confirm your email address for Acme Notes');
      expect(mail.text).toContain(
        'https://app.example.com/account/verify-email?token=',
      );
      expect(mail.html).toContain(
        'href="https://app.example.com/account/verify-email?token=',
      );
      const token = linkToken(mail);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const before = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(before.body).toMatchObject({
        emailVerified: false,
        emailVerifiedAt: null,
      });
      await verify(token).expect(204);
      const after = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(after.body.emailVerified).toBe(true);
      expect(Date.parse(after.body.emailVerifiedAt)).not.toBeNaN();
      // Spent: the same answer as any unknown token.
      expect((await verify(token).expect(400)).body).toEqual(INVALID);
    });

    it('resend (bearer) mails a fresh link, and the older one stops working', async () => {
      const user = await signUp(t);
      const first = linkToken(
        await nthMail(smtp, user.email, /Confirm your email/, 1),
      );
      await request(t.server)
        .post('/auth/email/verify/resend')
        .set(bearer(user.accessToken))
        .expect(202);
      const second = linkToken(
        await nthMail(smtp, user.email, /Confirm your email/, 2),
      );
      expect(second).not.toBe(first);
      await verify(first).expect(400);
      await verify(second).expect(204);
    });

    it('a signed-in user is told (429) when an address has had its three links this hour', async () => {
      const user = await signUp(t);
      const resend = () =>
        request(t.server)
          .post('/auth/email/verify/resend')
          .set(bearer(user.accessToken));
      for (let i = 0; i < 3; i++) await resend().expect(202);
      const refused = await resend().expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body.detail).toMatch(/At most 3 links an hour/);
      // The same budget guards an email change aimed at somebody else's mailbox.
      const other = await signUp(t);
      const target = `target-${randomUUID()}@example.com`;
      const change = () =>
        request(t.server)
          .patch('/users/me')
          .set(bearer(other.accessToken))
          .send({ email: target, currentPassword: PASSWORD });
      for (let i = 0; i < 3; i++) await change().expect(200);
      await change().expect(429);
    });

    it('a parallel burst of resends mails exactly three links and tells the rest 429', async () => {
      const user = await signUp(t);
      await nthMail(smtp, user.email, /Confirm your email/, 1);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(t.server)
            .post('/auth/email/verify/resend')
            .set(bearer(user.accessToken)),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 202)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(5);
      await nthMail(smtp, user.email, /Confirm your email/, 4);
      const marker = await signUp(t);
      await waitForMail(smtp, marker.email, /Confirm your email/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(mailsTo(smtp, user.email, /Confirm your email/)).toHaveLength(4);
    });

    it('treats a null email as none: 400 on resend without a token, no change on PATCH /users/me (the fuzzer found a 500 here)', async () => {
      await request(t.server)
        .post('/auth/email/verify/resend')
        .send({ email: null })
        .expect(400);
      const user = await signUp(t);
      const patched = await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send({ email: null, fullName: 'Still Me' })
        .expect(200);
      expect(patched.body).toMatchObject({
        email: user.email,
        fullName: 'Still Me',
        pendingEmail: null,
      });
    });

    it.each([
      ['null', null],
      ['a number', 42],
      ['an array', ['a@example.com']],
      ['an object', { $gt: '' }],
      ['NUL inside', 'ja\u0000ne@example.com'],
      ['over 254 characters', `${'a'.repeat(250)}@example.com`],
      ['a look-alike of a real address', 'jаne@example.com'],
    ])(
      'answers forgot with an email that is %s with a 400 naming the field',
      async (_, email) => {
        const response = await request(t.server)
          .post('/auth/password/forgot')
          .send({ email })
          .expect(400);
        // NUL is refused for every body before validation, with its own message.
        expect(JSON.stringify(response.body.detail)).toMatch(/email|NUL/);
      },
    );

    it('without a bearer token, resend needs an email', async () => {
      const response = await request(t.server)
        .post('/auth/email/verify/resend')
        .send({})
        .expect(400);
      expect(response.body.detail).toMatch(/email is required/);
    });
  });

  describe('forgot / reset password', () => {
    it('answers an existing and an unknown address the same way, and mails only the first', async () => {
      const user = await signUp(t);
      const unknown = `nobody-${randomUUID()}@example.com`;
      const known = await forgot(user.email).expect(202);
      const missing = await forgot(unknown).expect(202);
      expect(known.body).toEqual(missing.body);
      expect(known.body).toEqual({
        message:
          'If an account with this address exists, a link is on its way to it.',
      });
      expect(Object.keys(known.headers).sort()).toEqual(
        Object.keys(missing.headers).sort(),
      );
      await waitForMail(smtp, user.email, /Reset your/);
      // A marker mail sent after both shows the sender has passed them.
      const marker = await signUp(t);
      await waitForMail(smtp, marker.email, /Confirm your email/);
      expect(smtp.received.filter(sentTo(unknown))).toHaveLength(0);
    });

    it('takes about as long for an existing address as for an unknown one', async () => {
      const user = await signUp(t);
      const existing: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so that load on the machine hits both alike; under the per-address limit
      // for the existing one (three links an hour), then over it: timing must not show either.
      for (let i = 0; i < 8; i++) {
        let started = performance.now();
        await forgot(user.email).expect(202);
        existing.push(performance.now() - started);
        started = performance.now();
        await forgot(`nobody-${randomUUID()}@example.com`).expect(202);
        unknown.push(performance.now() - started);
      }
      // The work happens after the answer, so the bands overlap; a lookup and two inserts on
      // the request path would shift the existing address's median by their cost.
      expect(median(existing)).toBeLessThan(median(unknown) * 2 + 5);
      expect(median(unknown)).toBeLessThan(median(existing) * 2 + 5);
    });

    it('mails one address at most three links an hour, however often it is asked', async () => {
      const user = await signUp(t);
      await Promise.all(
        Array.from({ length: 6 }, () => forgot(user.email).expect(202)),
      );
      await nthMail(smtp, user.email, /Reset your/, 3);
      const marker = await signUp(t);
      await waitForMail(smtp, marker.email, /Confirm your email/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(mailsTo(smtp, user.email, /Reset your/)).toHaveLength(3);
    });

    it('reset sets the password, ends every session, lifts the lock, verifies the address and sends a notice', async () => {
      const user = await signUp(t);
      const secondDevice = await login(user, PASSWORD).expect(200);
      // Lock the account with wrong passwords (LOGIN_FAILURE_LIMIT=3).
      for (let i = 0; i < 3; i++)
        await login(user, 'wrong password').expect(401);
      await login(user, PASSWORD).expect(429);

      await forgot(user.email).expect(202);
      const mail = await waitForMail(smtp, user.email, /Reset your/);
      const token = linkToken(mail);
      expect(mail.text).toContain(
        `https://app.example.com/#/reset?token=${token}\n`,
      );
      await reset(token).expect(204);

      await waitForMail(smtp, user.email, /password was reset/);
      await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken))
        .expect(401);
      await request(t.server)
        .post('/auth/refresh')
        .send({ refresh_token: secondDevice.body.refresh_token })
        .expect(401);
      await login(user, PASSWORD).expect(401);
      const signedIn = await login(user, NEW_PASSWORD).expect(200);
      const me = await request(t.server)
        .get('/users/me')
        .set(bearer(signedIn.body.access_token))
        .expect(200);
      expect(me.body.emailVerified).toBe(true);
      expect(
        (await reset(token, 'yet another passphrase 77').expect(400)).body,
      ).toEqual(INVALID);
    });

    it('refuses a weak new password without spending the link', async () => {
      const user = await signUp(t);
      await forgot(user.email).expect(202);
      const token = linkToken(
        await waitForMail(smtp, user.email, /Reset your/),
      );
      const weak = await reset(token, 'password').expect(400);
      expect(JSON.stringify(weak.body.detail)).toMatch(/password/i);
      await reset(token).expect(204);
    });

    it('lets exactly one of many parallel uses of a link through', async () => {
      const user = await signUp(t);
      await forgot(user.email).expect(202);
      const token = linkToken(
        await waitForMail(smtp, user.email, /Reset your/),
      );
      const statuses = (
        await Promise.all(Array.from({ length: 6 }, () => reset(token)))
      ).map((response) => response.status);
      expect(statuses.filter((status) => status === 204)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(5);
    });

    it('refuses an expired link with the same answer', async () => {
      const user = await signUp(t);
      await forgot(user.email).expect(202);
      const token = linkToken(
        await waitForMail(smtp, user.email, /Reset your/),
      );
      // Thirty minutes pass.
      await t.dataSource
        .createQueryBuilder()
        .update('account_tokens')
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where('"userId" = :id', { id: user.id })
        .execute();
      expect((await reset(token).expect(400)).body).toEqual(INVALID);
    });

    it('a password change retires a reset link mailed before it, and sends a notice', async () => {
      const user = await signUp(t);
      await forgot(user.email).expect(202);
      const token = linkToken(
        await waitForMail(smtp, user.email, /Reset your/),
      );
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
        .expect(204);
      await waitForMail(smtp, user.email, /password was changed/);
      await reset(token, 'yet another passphrase 77').expect(400);
    });
  });

  describe('token kinds and hostile tokens', () => {
    it('a token of one kind is worthless for another', async () => {
      const user = await signUp(t);
      const verification = linkToken(
        await waitForMail(smtp, user.email, /Confirm your email/),
      );
      await forgot(user.email).expect(202);
      const resetToken = linkToken(
        await waitForMail(smtp, user.email, /Reset your/),
      );
      await reset(verification).expect(400);
      await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token: verification })
        .expect(400);
      await verify(resetToken).expect(400);
      // Both still work for their own purpose.
      await verify(verification).expect(204);
      await reset(resetToken).expect(204);
    });

    it.each([
      ['empty', ''],
      ['NUL', 'abc\u0000def'],
      ['a number', 12345],
      ['an object', { $ne: null }],
      ['an array', ['a', 'b']],
      ['very long', 'x'.repeat(20_000)],
      ['look-alike Unicode', 'ｔｏｋｅｎ'.repeat(9)],
      ['129 characters', 'a'.repeat(129)],
    ])(
      'answers a token that is %s with a 400, never a 500',
      async (_, token) => {
        for (const path of [
          '/auth/email/verify',
          '/auth/email/change/confirm',
        ]) {
          const response = await request(t.server).post(path).send({ token });
          expect([400, 413], path).toContain(response.status);
        }
        const response = await request(t.server)
          .post('/auth/password/reset')
          .send({ token, newPassword: NEW_PASSWORD });
        expect([400, 413]).toContain(response.status);
      },
    );
  });

  describe('email change', () => {
    it('mails a link to the new address and a notice to the old; confirming moves the account', async () => {
      const user = await signUp(t);
      const newEmail = `moved-${randomUUID()}@example.com`;
      const patched = await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send({ email: newEmail, currentPassword: PASSWORD })
        .expect(200);
      expect(patched.body).toMatchObject({
        email: user.email,
        pendingEmail: newEmail,
      });
      const link = await waitForMail(smtp, newEmail, /Confirm your new email/);
      expect(link.text).toContain(
        'https://app.example.com/account/confirm-email?token=',
      );
      const notice = await waitForMail(smtp, user.email, /change of your/);
      expect(notice.text).toContain(newEmail);
      expect(notice.text).not.toMatch(/token=/);

      const confirmed = await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token: linkToken(link) })
        .expect(200);
      expect(confirmed.body).toMatchObject({
        id: user.id,
        email: newEmail,
        emailVerified: true,
      });
      expect((await storedUser(t, user.id)).email).toBe(newEmail);
      await waitForMail(smtp, user.email, /email address of your .* changed/);
      await request(t.server)
        .post('/auth/login')
        .send({ username: newEmail, password: PASSWORD })
        .expect(200);
      await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token: linkToken(link) })
        .expect(400);
    });

    it('two accounts confirming a move to one address at the same moment: one moves, the other gets 409 and keeps its address', async () => {
      const [first, second] = [await signUp(t), await signUp(t)];
      const newEmail = `raced-${randomUUID()}@example.com`;
      for (const user of [first, second])
        await request(t.server)
          .patch('/users/me')
          .set(bearer(user.accessToken))
          .send({ email: newEmail, currentPassword: PASSWORD })
          .expect(200);
      await nthMail(smtp, newEmail, /Confirm your new email/, 2);
      const tokens = mailsTo(smtp, newEmail, /Confirm your new email/).map(
        linkToken,
      );
      const answers = await Promise.all(
        tokens.map((token) =>
          request(t.server).post('/auth/email/change/confirm').send({ token }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      const emails = [
        (await storedUser(t, first.id)).email,
        (await storedUser(t, second.id)).email,
      ];
      expect([
        [newEmail, second.email],
        [first.email, newEmail],
      ]).toContainEqual(emails);
    });

    it('answers 409 when the address was taken before the link was used, and changes nothing', async () => {
      const user = await signUp(t);
      const newEmail = `contested-${randomUUID()}@example.com`;
      await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send({ email: newEmail, currentPassword: PASSWORD })
        .expect(200);
      const link = await waitForMail(smtp, newEmail, /Confirm your new email/);
      await signUp(t, { email: newEmail });
      await request(t.server)
        .post('/auth/email/change/confirm')
        .send({ token: linkToken(link) })
        .expect(409);
      expect((await storedUser(t, user.id)).email).toBe(user.email);
    });
  });

  it('an admin ending all sessions of a user mails the user a notice', async () => {
    const admin = await makeAdmin(t, await signUp(t));
    const user = await signUp(t);
    await request(t.server)
      .delete(`/users/${user.id}/sessions`)
      .set(bearer(admin.accessToken))
      .expect(204);
    await request(t.server)
      .get('/users/me')
      .set(bearer(user.accessToken))
      .expect(401);
    await waitForMail(smtp, user.email, /You were signed out/);
    await request(t.server)
      .delete(`/users/${randomUUID()}/sessions`)
      .set(bearer(admin.accessToken))
      .expect(404);
    await request(t.server)
      .delete(`/users/${admin.id}/sessions`)
      .set(bearer(user.accessToken))
      .expect(401);
  });
});

describe(`EMAIL_VERIFICATION=required (${testDatabaseKind()})`, () => {
  let smtp: TestSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({
      ...relaySettings(smtp.port),
      EMAIL_VERIFICATION: 'required',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('gives no tokens until the address is verified, yet lets the user ask for a new link', async () => {
    const email = `strict-${randomUUID()}@example.com`;
    const signup = await request(t.server)
      .post('/auth/signup')
      .send({ email, password: PASSWORD })
      .expect(201);
    expect(signup.body).toEqual({
      user: expect.objectContaining({ email, emailVerified: false }),
      verification_required: true,
    });

    const refused = await request(t.server)
      .post('/auth/login')
      .send({ username: email, password: PASSWORD })
      .expect(403);
    expect(refused.body).toMatchObject({ error: 'email_not_verified' });
    // A wrong password says nothing about verification.
    await request(t.server)
      .post('/auth/login')
      .send({ username: email, password: 'wrong password' })
      .expect(401);
    const grant = await tokenRequest(t, {
      grant_type: 'password',
      username: email,
      password: PASSWORD,
    }).expect(400);
    expect(grant.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/not verified/),
    });

    await request(t.server)
      .post('/auth/email/verify/resend')
      .send({ email })
      .expect(202);
    const second = await nthMail(smtp, email, /Confirm your email/, 2);
    await request(t.server)
      .post('/auth/email/verify')
      .send({ token: linkToken(second), password: PASSWORD })
      .expect(204);
    await request(t.server)
      .post('/auth/login')
      .send({ username: email, password: PASSWORD })
      .expect(200);
  });
});

describe(`Signup while the SMTP relay is down (${testDatabaseKind()})`, () => {
  it('answers the signup without the relay, and the mail arrives once it is up', async () => {
    const port = await freePort();
    const t = await startTestApp({
      ...relaySettings(port),
      OUTBOX_RETRY_DELAY: '1',
    });
    let smtp: TestSmtp | undefined;
    try {
      const user = await signUp(t);
      // The signup was answered while nothing listened on the relay's port, and the service
      // is ready: mail is asynchronous.
      await request(t.server).get('/health/ready').expect(200);
      smtp = await startSmtp(port);
      const mail = await waitForMail(smtp, user.email, /Confirm your email/);
      await request(t.server)
        .post('/auth/email/verify')
        .send({ token: linkToken(mail), password: user.password })
        .expect(204);
    } finally {
      await t.close();
      await smtp?.close();
    }
  });
});

describe(`Account mail switched off (${testDatabaseKind()})`, () => {
  it('sends no verification mail and answers the flows with 404', async () => {
    const smtp = await startSmtp();
    const t = await startTestApp({
      ...relaySettings(smtp.port),
      EMAIL_VERIFICATION: 'off',
      PASSWORD_RESET: 'false',
    });
    try {
      const user = await signUp(t);
      for (const [path, body] of [
        ['/auth/password/forgot', { email: user.email }],
        ['/auth/password/reset', { token: 'x', newPassword: NEW_PASSWORD }],
        ['/auth/email/verify', { token: 'x', password: PASSWORD }],
        ['/auth/email/verify/resend', { email: user.email }],
      ] as const) {
        const response = await request(t.server).post(path).send(body);
        expect(response.status, path).toBe(404);
        expect(response.body.detail, path).toMatch(/switched off/);
      }
      // A mail that is sent (a notice) arrives, and nothing before it did.
      await request(t.server)
        .post('/users/me/password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
        .expect(204);
      await waitForMail(smtp, user.email, /password was changed/);
      expect(smtp.received.filter(sentTo(user.email))).toHaveLength(1);

      // Addresses are not checked, so a new one applies at once; the old one is told.
      const newEmail = `moved-${randomUUID()}@example.com`;
      const moved = await request(t.server)
        .patch('/users/me')
        .set(bearer(user.accessToken))
        .send({ email: newEmail, currentPassword: NEW_PASSWORD })
        .expect(200);
      expect(moved.body).toMatchObject({
        email: newEmail,
        emailVerified: false,
        pendingEmail: null,
      });
      const notice = await waitForMail(smtp, user.email, /email address/);
      expect(notice.text).toContain(newEmail);
      expect(smtp.received.filter(sentTo(newEmail))).toHaveLength(0);
      await request(t.server)
        .post('/auth/login')
        .send({ username: newEmail, password: NEW_PASSWORD })
        .expect(200);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});

describe(`Development without a relay (${testDatabaseKind()})`, () => {
  it('writes the mail to MAIL_OUTBOX_DIR and prints its link to the log', async () => {
    const log = vi.spyOn(Logger.prototype, 'log');
    const t = await startTestApp({ PORT: '3456' });
    try {
      const user = await signUp(t);
      const line = await until(
        () =>
          Promise.resolve(
            log.mock.calls
              .map(([message]) => String(message))
              .find((message) => message.includes('link (development)')),
          ),
        (found) => found !== undefined,
      );
      expect(line).toMatch(
        /^email-verification link \(development\): http:\/\/localhost:3456\/account\/verify-email\?token=[A-Za-z0-9_-]{43}$/,
      );
      const token = /token=(\S+)$/.exec(line ?? '')?.[1] ?? '';
      await request(t.server)
        .post('/auth/email/verify')
        .send({ token, password: user.password })
        .expect(204);
      const me = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(me.body.emailVerified).toBe(true);
    } finally {
      log.mockRestore();
      await t.close();
    }
  });
});
