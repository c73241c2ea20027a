import { appForSuite } from '../support/suite.js';
import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import request from 'supertest';
import { bearer, expectError, type TestUser } from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import { mailInOutbox } from '../support/mailbox.js';
import { linkToken } from '../support/smtp.js';
import { SoftwareAuthenticator } from '../support/webauthn.js';
import { codeRequest, registerClient } from '../support/authorization.js';
import { BrowserAgent, pkce } from '../support/browser-agent.js';

const LIMIT = 5;
const AUTH_LIMIT = 8;
const BURST = 14;
const ORIGIN = 'https://app.example.com';
const RP_ID = 'app.example.com';

// Skipped without TEST_REDIS_URL; test/support/global-setup.ts says so at the start of the run.
const redisUrl = process.env.TEST_REDIS_URL;
const stores: { name: string; env: Record<string, string> }[] = [
  { name: 'in memory', env: {} },
  ...(redisUrl
    ? [
        {
          name: 'through Redis',
          env: {
            REDIS_URL: redisUrl,
            REDIS_KEY_PREFIX: `budgets-${randomBytes(4).toString('hex')}:`,
          },
        },
      ]
    : []),
];

let nextIp = 1;
/** A client address of each row's own: the suite trusts 127.0.0.1 as its proxy. */
const freshIp = () =>
  `10.9.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

const statuses = (responses: { status: number }[]) =>
  responses.map((response) => response.status);

/** How a wrong guess is answered: its status and error code. */
type Wrong = [number, string];

/**
 * Section 4 of issue 23: every guess at a secret spends a budget (docs/security.md, "Where a
 * secret is guessed"), exactly, under a parallel burst. A guess that names an account spends that
 * account's LOGIN_FAILURE_LIMIT; a wrong 256-bit secret that names none spends the per-IP
 * AUTH_RATE_LIMIT. One burst per row, then (for the account rows) single guesses until the lock:
 * the guesses evaluated in all are exactly the budget.
 */
describe.each(stores)(
  `Every guess at a secret spends a budget, $name (${testDatabaseKind()})`,
  ({ env }) => {
    const t = appForSuite({
      ...env,
      TRUST_PROXY: '127.0.0.1',
      AUTH_RATE_LIMIT: String(AUTH_LIMIT),
      LOGIN_FAILURE_LIMIT: String(LIMIT),
      LOGIN_FAILURE_WINDOW: '120',
      WEBAUTHN_RP_ID: RP_ID,
      WEBAUTHN_ORIGINS: ORIGIN,
    });

    /** A verified user, set up from addresses whose per-IP budgets are not the ones tested. */
    async function setUp(): Promise<TestUser> {
      const unique = randomBytes(6).toString('hex');
      const user = {
        username: `budget_${unique}`,
        email: `budget_${unique}@example.com`,
        password: 'correct horse battery staple',
      };
      const signup = await request(t.server)
        .post('/auth/signup')
        .set('X-Forwarded-For', freshIp())
        .send(user)
        .expect(201);
      const mail = await mailInOutbox(
        t.mailDirectory,
        user.email,
        /Confirm your email/,
      );
      await request(t.server)
        .post('/auth/email/verify')
        .set('X-Forwarded-For', freshIp())
        .send({ token: linkToken(mail), password: user.password })
        .expect(204);
      return {
        ...user,
        id: signup.body.user.id,
        accessToken: signup.body.access_token,
      };
    }

    /**
     * Sends `BURST` guesses at once, each from its own address (only the account's budget is
     * in play), then one at a time until the account answers 429: the guesses evaluated (not
     * 429) come to exactly LIMIT, and each was answered `wrong`.
     */
    async function expectAccountBudget(
      guess: (ip: string) => PromiseLike<request.Response>,
      [status, code]: Wrong,
    ): Promise<void> {
      const burst = await Promise.all(
        Array.from({ length: BURST }, () => guess(freshIp())),
      );
      const evaluated = burst.filter((response) => response.status !== 429);
      for (const response of evaluated) expectError(response, status, code);
      expect(evaluated.length, JSON.stringify(statuses(burst))).toBeGreaterThan(
        0,
      );
      expect(evaluated.length).toBeLessThanOrEqual(LIMIT);
      let after = 0;
      for (;;) {
        const response = await guess(freshIp());
        if (response.status === 429) break;
        expectError(response, status, code);
        after++;
        if (after > LIMIT) break;
      }
      expect(evaluated.length + after).toBe(LIMIT);
    }

    /**
     * Sends AUTH_LIMIT + 6 guesses at once from one address: exactly AUTH_LIMIT are answered
     * `wrong`, the rest 429.
     */
    async function expectPerIpBudget(
      guess: (ip: string) => PromiseLike<request.Response>,
      [status, code]: Wrong,
    ): Promise<void> {
      const ip = freshIp();
      const burst = await Promise.all(
        Array.from({ length: AUTH_LIMIT + 6 }, () => guess(ip)),
      );
      const limited = burst.filter((response) => response.status === 429);
      expect(limited, JSON.stringify(statuses(burst))).toHaveLength(6);
      for (const response of burst.filter((r) => r.status !== 429))
        expectError(response, status, code);
    }

    /** Turns TOTP on for a user from its password session. */
    async function withTotp(user: TestUser) {
      const begin = await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .set('X-Forwarded-For', freshIp())
        .send({ password: user.password })
        .expect(201);
      const confirm = await request(t.server)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(user.accessToken))
        .set('X-Forwarded-For', freshIp())
        .send({ code: await generate({ secret: begin.body.secret }) })
        .expect(200);
      return {
        secret: begin.body.secret as string,
        recoveryCodes: confirm.body.recoveryCodes as string[],
      };
    }

    async function mfaToken(user: TestUser): Promise<string> {
      const login = await request(t.server)
        .post('/auth/login')
        .set('X-Forwarded-For', freshIp())
        .send({ username: user.username, password: user.password })
        .expect(401);
      return login.body.mfa_token as string;
    }

    it('a password at sign-in (POST /auth/login): the account', async () => {
      const user = await setUp();
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .post('/auth/login')
            .set('X-Forwarded-For', ip)
            .send({ username: user.username, password: 'wrong password!' }),
        [401, 'invalid_credentials'],
      );
    });

    it('a password at the password grant: the account', async () => {
      const user = await setUp();
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .post('/auth/token')
            .set('X-Forwarded-For', ip)
            .type('form')
            .send({
              grant_type: 'password',
              username: user.email,
              password: 'wrong password!',
            }),
        [400, 'invalid_grant'],
      );
    });

    it('a password asked again (DELETE /users/me): the account', async () => {
      const user = await setUp();
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .delete('/users/me')
            .set(bearer(user.accessToken))
            .set('X-Forwarded-For', ip)
            .send({ password: 'wrong password!' }),
        [403, 'Forbidden'],
      );
    });

    it('a password with a verification link (POST /auth/email/verify): the account', async () => {
      const user = await setUp();
      // A fresh link: the account goes back to unverified, as one from before this release.
      await t.dataSource
        .createQueryBuilder()
        .update('users')
        .set({ emailVerifiedAt: null })
        .where('id = :id', { id: user.id })
        .execute();
      const seen = new Set<string>();
      await mailInOutbox(
        t.mailDirectory,
        user.email,
        /Confirm your email/,
        seen,
      );
      await request(t.server)
        .post('/auth/email/verify/resend')
        .set('X-Forwarded-For', freshIp())
        .send({ email: user.email })
        .expect(202);
      const token = linkToken(
        await mailInOutbox(
          t.mailDirectory,
          user.email,
          /Confirm your email/,
          seen,
        ),
      );
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .post('/auth/email/verify')
            .set('X-Forwarded-For', ip)
            .send({ token, password: 'wrong password!' }),
        [403, 'Forbidden'],
      );
    });

    it.each([
      ['a TOTP code', { code: '000000' }],
      ['a recovery code', { recovery_code: 'aaaaa-bbbbb' }],
    ])('%s at sign-in: the account', async (_, proof) => {
      const user = await setUp();
      await withTotp(user);
      const token = await mfaToken(user);
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .post('/auth/mfa/verify')
            .set('X-Forwarded-For', ip)
            .send({ mfa_token: token, ...proof }),
        [401, 'invalid_code'],
      );
    });

    it('a TOTP code at enrolment (POST /auth/mfa/totp/confirm): the account', async () => {
      const user = await setUp();
      await request(t.server)
        .post('/auth/mfa/totp')
        .set(bearer(user.accessToken))
        .set('X-Forwarded-For', freshIp())
        .send({ password: user.password })
        .expect(201);
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .post('/auth/mfa/totp/confirm')
            .set(bearer(user.accessToken))
            .set('X-Forwarded-For', ip)
            .send({ code: '000000' }),
        [400, 'invalid_code'],
      );
    });

    it('a code to turn TOTP off: the account', async () => {
      const user = await setUp();
      const { recoveryCodes } = await withTotp(user);
      const login = await request(t.server)
        .post('/auth/mfa/verify')
        .set('X-Forwarded-For', freshIp())
        .send({
          mfa_token: await mfaToken(user),
          recovery_code: recoveryCodes[0],
        })
        .expect(200);
      await expectAccountBudget(
        (ip) =>
          request(t.server)
            .delete('/auth/mfa/totp')
            .set(bearer(login.body.access_token))
            .set('X-Forwarded-For', ip)
            .send({ password: user.password, code: '000000' }),
        [403, 'invalid_code'],
      );
    });

    it('a passkey assertion for a registered passkey: its account', async () => {
      const user = await setUp();
      const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
      const options = (
        await request(t.server)
          .post('/auth/passkeys/register/options')
          .set(bearer(user.accessToken))
          .expect(200)
      ).body;
      await request(t.server)
        .post('/auth/passkeys/register/verify')
        .set(bearer(user.accessToken))
        .set('X-Forwarded-For', freshIp())
        .send({ response: authenticator.register(options) })
        .expect(201);
      await expectAccountBudget(
        async (ip) => {
          const challenge = (
            await request(t.server)
              .post('/auth/passkeys/login/options')
              .set('X-Forwarded-For', freshIp())
              .expect(200)
          ).body;
          // Signed for another origin: a guess the signature check refuses.
          return request(t.server)
            .post('/auth/passkeys/login/verify')
            .set('X-Forwarded-For', ip)
            .send({
              response: authenticator.authenticate(challenge, undefined, {
                origin: 'https://evil.example',
              }),
            });
        },
        [401, 'passkey_sign_in_failed'],
      );
      // The account is locked for every way in, the passkey included.
      const challenge = (
        await request(t.server)
          .post('/auth/passkeys/login/options')
          .set('X-Forwarded-For', freshIp())
          .expect(200)
      ).body;
      await request(t.server)
        .post('/auth/passkeys/login/verify')
        .set('X-Forwarded-For', freshIp())
        .send({ response: authenticator.authenticate(challenge) })
        .expect(429);
    });

    it('an mfa_token (256 bits, names no account): the per-IP budget', async () => {
      await expectPerIpBudget(
        (ip) =>
          request(t.server)
            .post('/auth/mfa/verify')
            .set('X-Forwarded-For', ip)
            .send({
              mfa_token: randomBytes(32).toString('base64url'),
              code: '123456',
            }),
        [401, 'invalid_mfa_token'],
      );
    });

    it.each([
      ['/auth/password/reset', { newPassword: 'a perfectly fine passphrase' }],
      ['/auth/email/verify', { password: 'whatever it is' }],
      ['/auth/email/change/confirm', {}],
      ['/auth/sign-in-methods/remove', {}],
    ])(
      'a mailed link token at %s (256 bits, names no account): the per-IP budget',
      async (path, body) => {
        await expectPerIpBudget(
          (ip) =>
            request(t.server)
              .post(path)
              .set('X-Forwarded-For', ip)
              .send({ token: randomBytes(32).toString('base64url'), ...body }),
          [400, 'invalid_or_expired_token'],
        );
      },
    );

    it('a refresh token (256 bits, names no account): the per-IP budget', async () => {
      await expectPerIpBudget(
        (ip) =>
          request(t.server)
            .post('/auth/token')
            .set('X-Forwarded-For', ip)
            .type('form')
            .send({
              grant_type: 'refresh_token',
              refresh_token: randomBytes(32).toString('base64url'),
            }),
        [400, 'invalid_grant'],
      );
    });

    it('a client secret (256 bits, names a client, not an account): the per-IP budget, and no per-client lock', async () => {
      const app = await registerClient(t, {
        token_endpoint_auth_method: 'client_secret_basic',
      });
      const basic = (secret: string) =>
        `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}`;
      const redeem = (ip: string, secret: string) =>
        request(t.server)
          .post('/auth/token')
          .set('X-Forwarded-For', ip)
          .set('Authorization', basic(secret))
          .type('form')
          .send({
            grant_type: 'authorization_code',
            code: randomBytes(32).toString('base64url'),
            redirect_uri: 'https://app.example.com/callback',
            code_verifier: randomBytes(32).toString('base64url'),
          });
      await expectPerIpBudget(
        (ip) => redeem(ip, randomBytes(32).toString('base64url')),
        [401, 'invalid_client'],
      );
      // The guesser's budget is spent, not the client's: from its own address the real client
      // authenticates (and is told its made-up code is unknown).
      expectError(
        await redeem(freshIp(), app.secret as string),
        400,
        'invalid_grant',
      );
    });

    it.each([
      [
        'the client credentials grant',
        '/auth/token',
        { grant_type: 'client_credentials' },
      ],
      ['token introspection', '/auth/introspect', { token: 'anything' }],
    ])(
      'a machine client secret at %s: the per-IP budget, and no per-client lock',
      async (_, path, form) => {
        const machine = await registerClient(t, {
          redirect_uris: [],
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'users:read',
          allow_introspection: true,
        });
        const attempt = (ip: string, secret: string) =>
          request(t.server)
            .post(path)
            .set('X-Forwarded-For', ip)
            .set(
              'Authorization',
              `Basic ${Buffer.from(`${machine.clientId}:${secret}`).toString('base64')}`,
            )
            .type('form')
            .send(form);
        await expectPerIpBudget(
          (ip) => attempt(ip, randomBytes(32).toString('base64url')),
          [401, 'invalid_client'],
        );
        const real = await attempt(freshIp(), machine.secret as string);
        expect(real.status, JSON.stringify(real.body)).toBe(200);
      },
    );

    it('a password on the hosted sign-in page: the account, as at every other sign-in', async () => {
      const user = await setUp();
      const app = await registerClient(t);
      const attempt = async (ip: string) => {
        const browser = new BrowserAgent(t, { 'X-Forwarded-For': ip });
        const page = await browser.get(
          codeRequest(app.clientId, pkce().challenge),
        );
        return browser.submit(page, {
          username: user.username,
          password: 'wrong password!',
        });
      };
      const burst = await Promise.all(
        Array.from({ length: BURST }, () => attempt(freshIp())),
      );
      const evaluated = burst.filter((response) => response.status !== 429);
      expect(statuses(evaluated).every((status) => status === 401)).toBe(true);
      expect(evaluated.length).toBeLessThanOrEqual(LIMIT);
      const locked = burst.find((response) => response.status === 429);
      expect(locked?.text).toContain('Too many failed attempts');
    });
  },
);
