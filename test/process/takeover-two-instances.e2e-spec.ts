import { generate } from 'otplib';
import { PASSWORD } from '../support/api.js';
import {
  createSharedTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import {
  msUntilRefused,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';
import {
  linkToken,
  relaySettings,
  sentTo,
  startSmtp,
  type TestSmtp,
} from '../support/smtp.js';
import { SoftwareAuthenticator } from '../support/webauthn.js';

// Run on PostgreSQL with Redis (CI sets both); test/support/global-setup.ts says when they are
// missing.
const redisUrl = process.env.TEST_REDIS_URL;
const enabled = Boolean(redisUrl) && testDatabaseKind() === 'postgres';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'app.example.com';
const LIMIT = 5;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Issue 23's two-instance variants: two server processes behind one database and one Redis, as
 * behind a load balancer. What the owner does on one instance (a reset that first proves the
 * address, a "this was not me" link) is refused at once on the other; a burst of guesses at a
 * TOTP enrolment split between them spends the account's budget exactly.
 */
describe.skipIf(!enabled)(
  'Credential lifecycle across two instances (PostgreSQL and Redis)',
  () => {
    let database: TestDatabase;
    let smtp: TestSmtp;
    let a: ServerProcess;
    let b: ServerProcess;
    beforeAll(async () => {
      database = await createSharedTestDatabase();
      smtp = await startSmtp();
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl!,
        REDIS_KEY_PREFIX: `takeover-${Date.now().toString(36)}:`,
        WEBAUTHN_RP_ID: RP_ID,
        WEBAUTHN_ORIGINS: ORIGIN,
        LOGIN_FAILURE_LIMIT: String(LIMIT),
        ...relaySettings(smtp.port),
      };
      a = await startServer(env);
      b = await startServer(env);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await smtp?.close();
      await database?.drop();
    });

    async function call(
      server: ServerProcess,
      method: string,
      path: string,
      json?: unknown,
      token?: string,
    ): Promise<Reply> {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
    }

    const mail = (to: string, subject: RegExp) =>
      smtp.waitFor(
        (message) => sentTo(to)(message) && subject.test(message.subject ?? ''),
      );

    let counter = 0;
    const address = () =>
      `two-${Date.now().toString(36)}-${counter++}@example.com`;

    async function signUp(
      server: ServerProcess,
      email: string,
      password = PASSWORD,
    ) {
      const signup = await call(server, 'POST', '/auth/signup', {
        email,
        password,
      });
      expect(signup.status).toBe(201);
      return signup.body.access_token as string;
    }

    async function verified(server: ServerProcess, email: string) {
      const token = await signUp(server, email);
      const link = linkToken(await mail(email, /Confirm your email/));
      expect(
        (
          await call(server, 'POST', '/auth/email/verify', {
            token: link,
            password: PASSWORD,
          })
        ).status,
      ).toBe(204);
      return token;
    }

    it('a reset on B that first proves the address signs the attacker out on A within 1 s', async () => {
      const email = address();
      const attacker = await signUp(a, email, 'the attacker chose this one');
      // A's caches hold the attacker's user and session.
      expect(
        (await call(a, 'GET', '/users/me', undefined, attacker)).status,
      ).toBe(200);
      expect(
        (await call(b, 'POST', '/auth/password/forgot', { email })).status,
      ).toBe(202);
      const token = linkToken(await mail(email, /Reset your/));
      const resetAt = Date.now();
      expect(
        (
          await call(b, 'POST', '/auth/password/reset', {
            token,
            newPassword: 'the owner chose this one',
          })
        ).status,
      ).toBe(204);
      expect(await msUntilRefused(a, attacker, resetAt)).toBeLessThan(1000);
    });

    it('the "this was not me" link used on B removes the planted passkey and ends every session, cached on A too', async () => {
      const email = address();
      const owner = await verified(a, email);
      // The attacker, with the phished password, signs in on A and plants a passkey.
      const phished = await call(a, 'POST', '/auth/login', {
        username: email,
        password: PASSWORD,
      });
      const attacker = phished.body.access_token as string;
      const authenticator = new SoftwareAuthenticator(ORIGIN, RP_ID);
      const options = await call(
        a,
        'POST',
        '/auth/passkeys/register/options',
        undefined,
        attacker,
      );
      expect(options.status).toBe(200);
      const registered = await call(
        a,
        'POST',
        '/auth/passkeys/register/verify',
        { response: authenticator.register(options.body as never) },
        attacker,
      );
      expect(registered.status).toBe(201);
      for (const token of [owner, attacker])
        expect(
          (await call(a, 'GET', '/users/me', undefined, token)).status,
        ).toBe(200);

      const removal = linkToken(await mail(email, /A passkey was added/));
      const removedAt = Date.now();
      expect(
        (
          await call(b, 'POST', '/auth/sign-in-methods/remove', {
            token: removal,
          })
        ).status,
      ).toBe(204);
      expect(await msUntilRefused(a, attacker, removedAt)).toBeLessThan(1000);
      expect(await msUntilRefused(a, owner, removedAt)).toBeLessThan(1000);
      const signIn = await call(a, 'POST', '/auth/passkeys/login/options');
      const attempt = await call(a, 'POST', '/auth/passkeys/login/verify', {
        response: authenticator.authenticate(signIn.body as never),
      });
      expect(attempt.status).toBe(401);
    });

    it('a burst of TOTP enrolment codes split between A and B spends the account budget exactly', async () => {
      const email = address();
      const token = await verified(a, email);
      const begin = await call(
        a,
        'POST',
        '/auth/mfa/totp',
        { password: PASSWORD },
        token,
      );
      expect(begin.status).toBe(201);
      const burst = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          call(
            i % 2 === 0 ? a : b,
            'POST',
            '/auth/mfa/totp/confirm',
            { code: '000000' },
            token,
          ),
        ),
      );
      const statuses = burst.map((reply) => reply.status);
      expect(statuses.filter((status) => status === 400)).toHaveLength(LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(
        16 - LIMIT,
      );
      // Locked on both: the right code too.
      const right = await generate({ secret: begin.body.secret as string });
      expect(
        (
          await call(
            b,
            'POST',
            '/auth/mfa/totp/confirm',
            { code: right },
            token,
          )
        ).status,
      ).toBe(429);
    });
  },
);
