import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import request from 'supertest';
import { OutboxMessage } from '../src/mail/outbox-message.entity.js';
import { MfaToken } from '../src/mfa/mfa-token.entity.js';
import { TotpFactor } from '../src/mfa/totp-factor.entity.js';
import {
  bearer,
  makeAdmin,
  PASSWORD,
  signUpVerified,
  tokenRequest,
  type TestUser,
} from './support/api.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from './support/database.js';
import { decodeClaims, sign, validClaims } from './support/jwt.js';
import { until } from './support/until.js';
import {
  startTestApp,
  TEST_MFA_KEY,
  type TestApp,
} from './support/test-app.js';

const MFA_OTP_GRANT = 'urn:warden:params:oauth:grant-type:mfa-otp';
const RECOVERY_CODE = /^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/;

/** Waits, if need be, until at least 5 s are left in the current 30 s step. */
async function awayFromStepBoundary(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 5_000)
    await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/** The code an authenticator app with `secret` shows `stepsAway` steps of 30 s from now. */
const codeFor = (secret: string, stepsAway = 0): Promise<string> =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAway * 30 });

interface EnrolledUser extends TestUser {
  secret: string;
  recoveryCodes: string[];
}

/** Signs up and turns TOTP on through the API; `accessToken` stays the password-only one. */
async function enrolledUser(
  t: TestApp,
  user?: TestUser,
): Promise<EnrolledUser> {
  const account = user ?? (await signUpVerified(t));
  const begin = await request(t.server)
    .post('/auth/mfa/totp')
    .set(bearer(account.accessToken))
    .send({ password: account.password })
    .expect(201);
  const confirm = await request(t.server)
    .post('/auth/mfa/totp/confirm')
    .set(bearer(account.accessToken))
    .send({ code: await codeFor(begin.body.secret) })
    .expect(200);
  return {
    ...account,
    secret: begin.body.secret,
    recoveryCodes: confirm.body.recoveryCodes,
  };
}

const passwordLogin = (t: TestApp, user: TestUser) =>
  request(t.server)
    .post('/auth/login')
    .send({ username: user.username, password: user.password });

/** The `mfa_token` of a password login that needs a second factor. */
async function mfaTokenOf(t: TestApp, user: TestUser): Promise<string> {
  const response = await passwordLogin(t, user).expect(401);
  expect(response.body).toMatchObject({ error: 'mfa_required' });
  return response.body.mfa_token;
}

/** The kinds of the mails written to `address`, oldest first. */
const mailKindsTo = async (t: TestApp, address: string): Promise<string[]> =>
  (
    await t.dataSource
      .getRepository(OutboxMessage)
      .find({ where: { recipient: address }, order: { createdAt: 'ASC' } })
  ).map((message) => message.kind);

const verify = (t: TestApp, body: Record<string, unknown>) =>
  request(t.server).post('/auth/mfa/verify').send(body);

/**
 * A full login with the password and a code. The enrolment spent the current step, so the code
 * is the next step's (inside the ±1 drift window); a user signs in this way once per test.
 */
async function mfaLogin(t: TestApp, user: EnrolledUser, stepsAway = 1) {
  const mfaToken = await mfaTokenOf(t, user);
  const response = await verify(t, {
    mfa_token: mfaToken,
    code: await codeFor(user.secret, stepsAway),
  }).expect(200);
  return response.body as { access_token: string; refresh_token: string };
}

describe(`TOTP second factor (${testDatabaseKind()})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('enrolment', () => {
    it('needs the password, gives a secret, an otpauth URI and a QR code, and turns on with a code', async () => {
      const user = await signUpVerified(t);
      await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .send({ password: 'not the password' })
        .expect(403);
      const begin = await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .send({ password: PASSWORD })
        .expect(201);
      expect(begin.headers['cache-control']).toBe('no-store');
      expect(begin.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(begin.body.otpauthUri).toBe(
        `otpauth://totp/Warden:${encodeURIComponent(user.email)}?secret=${begin.body.secret}&issuer=Warden`,
      );
      expect(begin.body.qrCode).toMatch(/^data:image\/png;base64,/);

      // Still off until confirmed: a login needs no code yet.
      await passwordLogin(t, user).expect(200);
      await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(user.accessToken))
        .send({ code: await codeFor(begin.body.secret, 3) })
        .expect(400)
        .expect((r) => expect(r.body.error).toBe('invalid_code'));
      const confirm = await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(user.accessToken))
        .send({ code: await codeFor(begin.body.secret) })
        .expect(200);
      expect(confirm.body.recoveryCodes).toHaveLength(10);
      for (const code of confirm.body.recoveryCodes)
        expect(code).toMatch(RECOVERY_CODE);
      expect(new Set(confirm.body.recoveryCodes).size).toBe(10);

      const status = await request(t.server)
        .get('/auth/mfa')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(status.body).toEqual({ totp: true, recoveryCodesLeft: 10 });
      const me = await request(t.server)
        .get('/users/me')
        .set(bearer(user.accessToken))
        .expect(200);
      expect(me.body.mfaEnabled).toBe(true);
      expect(await mailKindsTo(t, user.email)).toContain('notice:totp-enabled');
      // The account has a second factor now: the password-only session cannot set one up...
      const weak = await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .send({ password: PASSWORD })
        .expect(401);
      expect(weak.body.error).toBe('insufficient_user_authentication');
      // ...and a session signed in with it finds TOTP on already.
      const strong = await mfaLogin(t, {
        ...user,
        secret: begin.body.secret,
        recoveryCodes: confirm.body.recoveryCodes,
      });
      await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(strong.access_token))
        .send({ password: PASSWORD })
        .expect(409);
      // A confirmed enrolment cannot be confirmed again (nor its step reused).
      await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(strong.access_token))
        .send({ code: await codeFor(begin.body.secret, 1) })
        .expect(400);
    });

    it('confirms once when the confirmation is sent twice at once: one set of recovery codes, and it works', async () => {
      const user = await signUpVerified(t);
      const begin = await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .send({ password: PASSWORD })
        .expect(201);
      const code = await codeFor(begin.body.secret);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          request(t.server)
            .post('/auth/mfa/totp/confirm')
            .set(bearer(user.accessToken))
            .send({ code }),
        ),
      );
      // One turns it on; the others find it on (400), or find that the account now has a
      // second factor that this password-only session lacks (401).
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(
        statuses.filter(
          (status) => status !== 200 && ![400, 401].includes(status),
        ),
      ).toEqual([]);
      const { recoveryCodes } = answers.find((a) => a.status === 200)!.body as {
        recoveryCodes: string[];
      };
      await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: recoveryCodes[9],
      }).expect(200);
    });

    it('keeps the secret sealed in the database, bound to its user', async () => {
      const user = await enrolledUser(t);
      const other = await enrolledUser(t);
      const factors = t.dataSource.getRepository(TotpFactor);
      const row = await factors.findOneByOrFail({ userId: user.id });
      expect(row.sealedSecret).not.toContain(user.secret);
      expect(row.sealedSecret).toMatch(/^v1\./);
      // Copied to another user's row, it no longer opens: that user's codes stop working
      // rather than becoming this user's.
      await factors.update(
        { userId: other.id },
        { sealedSecret: row.sealedSecret },
      );
      const mfaToken = await mfaTokenOf(t, other);
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(user.secret),
      }).expect(401);
    });

    it('refuses malformed bodies with a 400 that names the field', async () => {
      const user = await signUpVerified(t);
      for (const body of [
        {},
        { password: 1 },
        { password: null },
        { password: 'x'.repeat(129) },
      ]) {
        const r = await request(t.server)
          .post('/auth/mfa/totp')
          .set(bearer(user.accessToken))
          .send(body)
          .expect(400);
        expect(JSON.stringify(r.body.detail)).toContain('password');
      }
      for (const code of [
        123456,
        null,
        ['123456'],
        { $gt: '' },
        'x'.repeat(17),
      ]) {
        const r = await request(t.server)
          .post('/auth/mfa/totp/confirm')
          .set(bearer(user.accessToken))
          .send({ code })
          .expect(400);
        expect(JSON.stringify(r.body.detail)).toContain('code');
      }
      // No enrolment under way: a clear 400, not a 500.
      await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(user.accessToken))
        .send({ code: '123456' })
        .expect(400);
    });
  });

  describe('login', () => {
    it('answers mfa_required with an mfa_token, and the code completes the login with amr and auth_time', async () => {
      const user = await enrolledUser(t);
      const login = await passwordLogin(t, user).expect(401);
      expect(login.body).toEqual({
        type: 'http://localhost:3000/problems/mfa_required',
        title: 'A second factor is required',
        status: 401,
        detail: expect.stringContaining('/auth/mfa/verify'),
        error: 'mfa_required',
        mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(login.headers['cache-control']).toBe('no-store');
      const before = Math.floor(Date.now() / 1000);
      const tokens = await verify(t, {
        mfa_token: login.body.mfa_token,
        code: await codeFor(user.secret, 1),
      }).expect(200);
      const claims = decodeClaims(tokens.body.access_token) as unknown as {
        amr: string[];
        auth_time: number;
      };
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(claims.auth_time).toBeGreaterThanOrEqual(before - 1);
      await request(t.server)
        .get('/users/me')
        .set(bearer(tokens.body.access_token))
        .expect(200);
      // A password-only login carries amr ["pwd"].
      const plain = await signUpVerified(t);
      const plainLogin = await passwordLogin(t, plain).expect(200);
      expect(
        (
          decodeClaims(plainLogin.body.access_token) as unknown as {
            amr: string[];
          }
        ).amr,
      ).toEqual(['pwd']);
    });

    it('keeps amr and auth_time across refreshes', async () => {
      const user = await enrolledUser(t);
      const tokens = await mfaLogin(t, user);
      const first = decodeClaims(tokens.access_token) as unknown as {
        amr: string[];
        auth_time: number;
      };
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const refreshed = await request(t.server)
        .post('/auth/refresh')
        .send({ refresh_token: tokens.refresh_token })
        .expect(200);
      const claims = decodeClaims(refreshed.body.access_token) as unknown as {
        amr: string[];
        auth_time: number;
        iat: number;
      };
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      expect(claims.auth_time).toBe(first.auth_time);
      expect(claims.iat).toBeGreaterThan(claims.auth_time);
    });

    it('accepts a code one step early or late, not two', async () => {
      const early = await enrolledUser(t);
      const late = await enrolledUser(t);
      const stale = await enrolledUser(t);
      // As if the enrolment were long ago: its step would refuse the earlier code as a replay.
      await t.dataSource
        .getRepository(TotpFactor)
        .update({ userId: early.id }, { lastUsedStep: null });
      // A code one step back, checked after the clock crossed into the next step, is two back.
      await awayFromStepBoundary();
      await mfaLogin(t, early, -1);
      await mfaLogin(t, late, 1);
      const mfaToken = await mfaTokenOf(t, stale);
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(stale.secret, -2),
      }).expect(401);
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(stale.secret, 2),
      }).expect(401);
    });

    it('accepts each code once: a replay, even with a fresh mfa_token or in parallel, is refused', async () => {
      const user = await enrolledUser(t);
      // The enrolment used the current step: its code (or an earlier one) no longer signs in.
      const replayed = await mfaTokenOf(t, user);
      const r = await verify(t, {
        mfa_token: replayed,
        code: await codeFor(user.secret),
      }).expect(401);
      expect(r.body.error).toBe('invalid_code');
      const next = await codeFor(user.secret, 1);
      const tokens = await Promise.all(
        Array.from({ length: 6 }, () => mfaTokenOf(t, user)),
      );
      const answers = await Promise.all(
        tokens.map((mfa_token) => verify(t, { mfa_token, code: next })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([
        200, 401, 401, 401, 401, 401,
      ]);
    });

    it('spends the mfa_token once, even in parallel, and keeps it after a wrong code', async () => {
      const user = await enrolledUser(t);
      const mfaToken = await mfaTokenOf(t, user);
      await verify(t, { mfa_token: mfaToken, code: '000000' })
        .expect(401)
        .expect((r) => expect(r.body.error).toBe('invalid_code'));
      const answers = await Promise.all(
        user.recoveryCodes
          .slice(0, 4)
          .map((recovery_code) =>
            verify(t, { mfa_token: mfaToken, recovery_code }),
          ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(user.secret, 1),
      })
        .expect(401)
        .expect((r) => expect(r.body.error).toBe('invalid_mfa_token'));
    });

    it('refuses the mfa_token as a bearer token, for another user, and after it expires', async () => {
      const user = await enrolledUser(t);
      const other = await enrolledUser(t);
      const mfaToken = await mfaTokenOf(t, user);
      await request(t.server)
        .get('/users/me')
        .set(bearer(mfaToken))
        .expect(401)
        .expect((r) =>
          expect(r.headers['www-authenticate']).toContain('invalid_token'),
        );
      // Another user's code (and recovery code) does not complete this user's login.
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(other.secret, 1),
      }).expect(401);
      await verify(t, {
        mfa_token: mfaToken,
        recovery_code: other.recoveryCodes[0],
      }).expect(401);
      await t.dataSource
        .getRepository(MfaToken)
        .update(
          { userId: user.id },
          { expiresAt: new Date(Date.now() - 1000) },
        );
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(user.secret, 1),
      })
        .expect(401)
        .expect((r) => expect(r.body.error).toBe('invalid_mfa_token'));
    });

    it('refuses the login when the account is disabled between the password and the code', async () => {
      const user = await enrolledUser(t);
      const mfaToken = await mfaTokenOf(t, user);
      const admin = await makeAdmin(t, await signUpVerified(t));
      await request(t.server)
        .patch(`/users/${user.id}`)
        .set(bearer(admin.accessToken))
        .send({ disabled: true })
        .expect(200);
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(user.secret, 1),
      }).expect(401);
    });

    it('takes recovery codes once each, in any case and with or without the dash, and counts them down', async () => {
      const user = await enrolledUser(t);
      const [first, second] = user.recoveryCodes;
      const tokens = await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: first,
      }).expect(200);
      expect(
        (decodeClaims(tokens.body.access_token) as unknown as { amr: string[] })
          .amr,
      ).toEqual(['pwd', 'otp', 'mfa']);
      await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: first,
      }).expect(401);
      await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: ` ${second.replace('-', '').toUpperCase()} `,
      }).expect(200);
      const status = await request(t.server)
        .get('/auth/mfa')
        .set(bearer(tokens.body.access_token))
        .expect(200);
      expect(status.body).toEqual({ totp: true, recoveryCodesLeft: 8 });
    });

    it('refuses hostile verify bodies with a 400, never a 500', async () => {
      const user = await enrolledUser(t);
      const mfaToken = await mfaTokenOf(t, user);
      const bodies: Record<string, unknown>[] = [
        {},
        { mfa_token: mfaToken },
        { code: '123456' },
        { mfa_token: mfaToken, code: '123456', recovery_code: 'abcde-fghjk' },
        { mfa_token: 42, code: '123456' },
        { mfa_token: [mfaToken], code: '123456' },
        { mfa_token: { $ne: '' }, code: '123456' },
        { mfa_token: mfaToken, code: 123456 },
        { mfa_token: mfaToken, code: null },
        { mfa_token: 'x'.repeat(129), code: '123456' },
        { mfa_token: mfaToken, recovery_code: 'y'.repeat(33) },
      ];
      for (const body of bodies) {
        const r = await verify(t, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
      }
      for (const code of [
        '',
        '12345',
        '1234567',
        '１２３４５６',
        'abcdef',
        '12345\u0000',
        '0x1e240',
      ]) {
        const r = await verify(t, { mfa_token: mfaToken, code });
        expect([400, 401], JSON.stringify(code)).toContain(r.status);
      }
      // None of that spent the token.
      await verify(t, {
        mfa_token: mfaToken,
        code: await codeFor(user.secret, 1),
      }).expect(200);
    });
  });

  describe('token endpoint', () => {
    it('answers invalid_grant with mfa_required, and the mfa-otp grant completes it with the scope asked for', async () => {
      const user = await enrolledUser(t);
      const first = await tokenRequest(t, {
        grant_type: 'password',
        username: user.username,
        password: PASSWORD,
        scope: 'account',
      }).expect(400);
      expect(first.body).toEqual({
        error: 'invalid_grant',
        error_description: expect.stringContaining(MFA_OTP_GRANT),
        mfa_required: true,
        mfa_token: expect.any(String),
      });
      expect(first.headers['cache-control']).toBe('no-store');
      await tokenRequest(t, {
        grant_type: MFA_OTP_GRANT,
        mfa_token: first.body.mfa_token,
        otp: '000000',
      })
        .expect(400)
        .expect((r) => expect(r.body.error).toBe('invalid_grant'));
      const tokens = await tokenRequest(t, {
        grant_type: MFA_OTP_GRANT,
        mfa_token: first.body.mfa_token,
        otp: await codeFor(user.secret, 1),
      }).expect(200);
      expect(tokens.body.scope).toBe('account');
      expect(
        (decodeClaims(tokens.body.access_token) as unknown as { amr: string[] })
          .amr,
      ).toEqual(['pwd', 'otp', 'mfa']);
      const recovered = await tokenRequest(t, {
        grant_type: 'password',
        username: user.username,
        password: PASSWORD,
      }).expect(400);
      await tokenRequest(t, {
        grant_type: MFA_OTP_GRANT,
        mfa_token: recovered.body.mfa_token,
        recovery_code: user.recoveryCodes[0],
      }).expect(200);
    });

    it('answers malformed mfa-otp requests with invalid_request', async () => {
      const forms: Record<string, string | string[]>[] = [
        { grant_type: MFA_OTP_GRANT, otp: '123456' },
        { grant_type: MFA_OTP_GRANT, mfa_token: 'abc' },
        {
          grant_type: MFA_OTP_GRANT,
          mfa_token: 'abc',
          otp: '123456',
          recovery_code: 'abcde-fghjk',
        },
        { grant_type: MFA_OTP_GRANT, mfa_token: ['a', 'b'], otp: '123456' },
      ];
      for (const form of forms) {
        const r = await tokenRequest(t, form).expect(400);
        expect(r.body.error, JSON.stringify(form)).toBe('invalid_request');
      }
      await tokenRequest(t, {
        grant_type: MFA_OTP_GRANT,
        mfa_token: 'not-a-token',
        otp: '123456',
      })
        .expect(400)
        .expect((r) => expect(r.body.error).toBe('invalid_grant'));
    });

    it('lists the grant in the authorization server metadata', async () => {
      const r = await request(t.server)
        .get('/.well-known/oauth-authorization-server')
        .expect(200);
      expect(r.body.grant_types_supported).toContain(MFA_OTP_GRANT);
    });
  });

  describe('step-up (RFC 9470)', () => {
    const expectStepUp = (r: request.Response, param: RegExp) => {
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('insufficient_user_authentication');
      expect(r.headers['www-authenticate']).toMatch(
        /^Bearer realm="warden", error="insufficient_user_authentication"/,
      );
      expect(r.headers['www-authenticate']).toMatch(param);
    };

    it('turning TOTP off needs a session signed in with it, the password and a code', async () => {
      const user = await enrolledUser(t);
      // The signup session (password only) predates the factor.
      expectStepUp(
        await request(t.server)
          .delete('/auth/mfa/totp')
          .set(bearer(user.accessToken))
          .send({ password: PASSWORD, code: await codeFor(user.secret, 1) }),
        /acr_values="urn:warden:acr:mfa"/,
      );
      const tokens = await mfaLogin(t, user);
      await request(t.server)
        .delete('/auth/mfa/totp')
        .set(bearer(tokens.access_token))
        .send({
          password: 'wrong password',
          code: await codeFor(user.secret, 1),
        })
        .expect(403);
      await request(t.server)
        .delete('/auth/mfa/totp')
        .set(bearer(tokens.access_token))
        .send({ password: PASSWORD, code: '000000' })
        .expect(403)
        .expect((r) => expect(r.body.error).toBe('invalid_code'));
      // The login spent the next step's code: a recovery code stands in for it.
      await request(t.server)
        .delete('/auth/mfa/totp')
        .set(bearer(tokens.access_token))
        .send({ password: PASSWORD, code: await codeFor(user.secret, 1) })
        .expect(403);
      await request(t.server)
        .delete('/auth/mfa/totp')
        .set(bearer(tokens.access_token))
        .send({ password: PASSWORD, recovery_code: user.recoveryCodes[0] })
        .expect(204);
      await passwordLogin(t, user).expect(200);
      const status = await request(t.server)
        .get('/auth/mfa')
        .set(bearer(tokens.access_token))
        .expect(200);
      expect(status.body).toEqual({ totp: false, recoveryCodesLeft: 0 });
      expect(await mailKindsTo(t, user.email)).toContain(
        'notice:totp-disabled',
      );
    });

    it('deleting the account needs the second factor when it is on, and a sign-in under 15 minutes old', async () => {
      const user = await enrolledUser(t);
      expectStepUp(
        await request(t.server)
          .delete('/users/me')
          .set(bearer(user.accessToken))
          .send({ password: PASSWORD }),
        /acr_values=/,
      );
      const plain = await signUpVerified(t);
      const old = sign(
        {
          ...validClaims(plain),
          amr: ['pwd'],
          auth_time: Math.floor(Date.now() / 1000) - 901,
        },
        { typ: 'at+jwt' },
      );
      expectStepUp(
        await request(t.server)
          .delete('/users/me')
          .set(bearer(old))
          .send({ password: PASSWORD }),
        /max_age="900"/,
      );
      await request(t.server)
        .delete('/users/me')
        .set(bearer(plain.accessToken))
        .send({ password: PASSWORD })
        .expect(204);
      const tokens = await mfaLogin(t, user);
      await request(t.server)
        .delete('/users/me')
        .set(bearer(tokens.access_token))
        .send({ password: PASSWORD })
        .expect(204);
    });

    it('admin routes need the second factor of an admin who has one, and not of one who has none', async () => {
      const admin = await makeAdmin(t, await signUpVerified(t));
      await request(t.server)
        .get('/users')
        .set(bearer(admin.accessToken))
        .expect(200);
      const enrolled = await enrolledUser(t, admin);
      expectStepUp(
        await request(t.server).get('/users').set(bearer(admin.accessToken)),
        /acr_values="urn:warden:acr:mfa"/,
      );
      const tokens = await mfaLogin(t, enrolled);
      await request(t.server)
        .get('/users')
        .set(bearer(tokens.access_token))
        .expect(200);
    });

    it("an admin can turn a user's TOTP off; the user is told and signs in with the password alone", async () => {
      const user = await enrolledUser(t);
      const admin = await makeAdmin(t, await signUpVerified(t));
      const plain = await signUpVerified(t);
      await request(t.server)
        .delete(`/users/${user.id}/mfa`)
        .set(bearer(plain.accessToken))
        .expect(403);
      await request(t.server)
        .delete(`/users/${randomUUID()}/mfa`)
        .set(bearer(admin.accessToken))
        .expect(404);
      await request(t.server)
        .delete('/users/not-a-uuid/mfa')
        .set(bearer(admin.accessToken))
        .expect(400);
      await request(t.server)
        .delete(`/users/${user.id}/mfa`)
        .set(bearer(admin.accessToken))
        .expect(204);
      await passwordLogin(t, user).expect(200);
      expect(await mailKindsTo(t, user.email)).toContain(
        'notice:totp-disabled',
      );
    });

    it('replacing the recovery codes several times at once leaves one set of ten', async () => {
      const user = await enrolledUser(t);
      const tokens = await mfaLogin(t, user);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          request(t.server)
            .post('/auth/mfa/recovery-codes')
            .set(bearer(tokens.access_token))
            .send({ password: PASSWORD }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual([
        200, 200, 200, 200,
      ]);
      const status = await request(t.server)
        .get('/auth/mfa')
        .set(bearer(tokens.access_token))
        .expect(200);
      expect(status.body.recoveryCodesLeft).toBe(10);
      // Exactly one of the sets handed out works.
      const working = [];
      for (const answer of answers) {
        const used = await verify(t, {
          mfa_token: await mfaTokenOf(t, user),
          recovery_code: answer.body.recoveryCodes[0],
        });
        if (used.status === 200) working.push(answer);
      }
      expect(working).toHaveLength(1);
    });

    it('replacing the recovery codes needs a second-factor session and the password', async () => {
      const user = await enrolledUser(t);
      expectStepUp(
        await request(t.server)
          .post('/auth/mfa/recovery-codes')
          .set(bearer(user.accessToken))
          .send({ password: PASSWORD }),
        /acr_values/,
      );
      const tokens = await mfaLogin(t, user);
      const fresh = await request(t.server)
        .post('/auth/mfa/recovery-codes')
        .set(bearer(tokens.access_token))
        .send({ password: PASSWORD })
        .expect(200);
      expect(fresh.body.recoveryCodes).toHaveLength(10);
      expect(await mailKindsTo(t, user.email)).toContain(
        'notice:recovery-codes-replaced',
      );
      await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: user.recoveryCodes[0],
      }).expect(401);
      await verify(t, {
        mfa_token: await mfaTokenOf(t, user),
        recovery_code: fresh.body.recoveryCodes[0],
      }).expect(200);
    });
  });
});

describe(`TOTP codes against the account lock (${testDatabaseKind()})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_FAILURE_LIMIT: '5',
      LOGIN_FAILURE_WINDOW: '15m',
    });
  });
  afterAll(() => t.close());

  it('counts a parallel burst of wrong codes exactly, then refuses even the right one', async () => {
    const user = await enrolledUser(t);
    const mfaToken = await mfaTokenOf(t, user);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        verify(t, { mfa_token: mfaToken, code: String(100000 + i) }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    await verify(t, {
      mfa_token: mfaToken,
      code: await codeFor(user.secret, 1),
    }).expect(429);
    await passwordLogin(t, user).expect(429);
  });

  it('does not let a right password reset the count of wrong codes', async () => {
    const user = await enrolledUser(t);
    for (let round = 0; round < 2; round++) {
      const mfaToken = await mfaTokenOf(t, user);
      for (let i = 0; i < 2; i++)
        await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    }
    // 4 wrong codes and two right passwords: the fifth failure locks.
    const mfaToken = await mfaTokenOf(t, user);
    await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    await verify(t, {
      mfa_token: mfaToken,
      code: await codeFor(user.secret, 1),
    }).expect(429);
  });

  it('does not let a right password on another route reset it either', async () => {
    const user = await enrolledUser(t);
    // A session with the second factor, which the route below asks for (its code is right, so
    // the count starts from nothing).
    const strong = await mfaLogin(t, user);
    const mfaToken = await mfaTokenOf(t, user);
    for (let i = 0; i < 4; i++)
      await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    // The password is right (then 409: TOTP is on already), and counts for nothing.
    await request(t.server)
      .post('/auth/mfa/totp')
      .set(bearer(strong.access_token))
      .send({ password: PASSWORD })
      .expect(409);
    await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    await verify(t, {
      mfa_token: mfaToken,
      code: await codeFor(user.secret, 1),
    }).expect(429);
  });

  it('a right code resets the count', async () => {
    const user = await enrolledUser(t);
    let mfaToken = await mfaTokenOf(t, user);
    for (let i = 0; i < 4; i++)
      await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    await verify(t, {
      mfa_token: mfaToken,
      code: await codeFor(user.secret, 1),
    }).expect(200);
    mfaToken = await mfaTokenOf(t, user);
    for (let i = 0; i < 4; i++)
      await verify(t, { mfa_token: mfaToken, code: '000000' }).expect(401);
    await verify(t, {
      mfa_token: mfaToken,
      recovery_code: user.recoveryCodes[0],
    }).expect(200);
  });
});

describe(`MFA_TOTP=false (${testDatabaseKind()})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MFA_TOTP: 'false' });
  });
  afterAll(() => t.close());

  it('asks nobody for a code and offers no enrolment', async () => {
    const user = await signUpVerified(t);
    await t.dataSource
      .createQueryBuilder()
      .update('users')
      .set({ mfaEnabled: true })
      .where('id = :id', { id: user.id })
      .execute();
    await passwordLogin(t, user).expect(200);
    await request(t.server)
      .post('/auth/mfa/totp')
      .set(bearer(user.accessToken))
      .send({ password: PASSWORD })
      .expect(404);
    await request(t.server)
      .get('/auth/mfa')
      .set(bearer(user.accessToken))
      .expect(404);
  });
});

describe(`Rotating MFA_ENCRYPTION_KEY (${testDatabaseKind()})`, () => {
  const NEW_KEY = 'ab'.repeat(32);
  let shared: TestDatabase;
  let url: string;
  beforeAll(async () => {
    shared = await createSharedTestDatabase();
    url = shared.url;
  });
  afterAll(() => shared.drop());

  /** A password + code sign-in with the current step's code (the last step used is forgotten). */
  async function signInWithCode(t: TestApp, user: EnrolledUser) {
    await t.dataSource
      .getRepository(TotpFactor)
      .update({ userId: user.id }, { lastUsedStep: null });
    return verify(t, {
      mfa_token: await mfaTokenOf(t, user),
      code: await codeFor(user.secret),
    });
  }

  async function withApp<T>(
    env: Record<string, string>,
    work: (t: TestApp) => Promise<T>,
  ): Promise<T> {
    const t = await startTestApp({ DATABASE_URL: url, ...env });
    try {
      return await work(t);
    } finally {
      await t.close();
    }
  }

  it('a new key alone strands enrolled authenticators; with the old one as MFA_PREVIOUS_ENCRYPTION_KEY they keep working and are re-sealed, after which the old key can go', async () => {
    const user = await withApp({ MFA_ENCRYPTION_KEY: TEST_MFA_KEY }, (t) =>
      enrolledUser(t),
    );
    const sealedUnder = (t: TestApp) =>
      t.dataSource
        .getRepository(TotpFactor)
        .findOneByOrFail({ userId: user.id })
        .then((factor) => factor.sealedSecret);
    const original = await withApp({ MFA_ENCRYPTION_KEY: TEST_MFA_KEY }, (t) =>
      sealedUnder(t),
    );

    await withApp({ MFA_ENCRYPTION_KEY: NEW_KEY }, async (t) => {
      expect((await signInWithCode(t, user)).status).toBe(401);
    });

    const log = vi.spyOn(Logger.prototype, 'log');
    try {
      await withApp(
        {
          MFA_ENCRYPTION_KEY: NEW_KEY,
          MFA_PREVIOUS_ENCRYPTION_KEY: TEST_MFA_KEY,
        },
        async (t) => {
          expect((await signInWithCode(t, user)).status).toBe(200);
          await until(
            () =>
              Promise.resolve(
                log.mock.calls.some(([message]) =>
                  String(message).startsWith('TOTP secrets: 1 re-sealed'),
                ),
              ),
            Boolean,
          );
          expect(await sealedUnder(t)).not.toBe(original);
        },
      );
    } finally {
      log.mockRestore();
    }

    await withApp({ MFA_ENCRYPTION_KEY: NEW_KEY }, async (t) => {
      expect((await signInWithCode(t, user)).status).toBe(200);
    });
  });
});
