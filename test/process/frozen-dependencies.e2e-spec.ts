import { setTimeout as sleep } from 'node:timers/promises';
import { PASSWORD } from '../support/api.js';
import { until } from '../support/until.js';
import { testDatabaseKind } from '../support/database.js';
import {
  ownPostgres,
  ownRedis,
  postgresBin,
  type OwnService,
} from '../support/own-services.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

/**
 * Every call to a dependency has a deadline (docs/production.md, "Deadlines"), so a request answers in
 * bounded time whatever Redis or PostgreSQL do: here they are frozen with SIGSTOP (the connection
 * stays open and nothing answers, which is worse than refusing) and stopped, on servers this test
 * starts itself. An answer that never comes shows up as the 30 s abort below.
 */
const HANG = 30_000;

async function call(
  server: ServerProcess,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<{
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}> {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      ...(init.body &&
      typeof init.body === 'string' &&
      init.body.startsWith('{')
        ? { 'content-type': 'application/json' }
        : init.body
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    signal: AbortSignal.timeout(HANG),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    retryAfter: response.headers.get('retry-after'),
  };
}

/** Waits for the server to answer a database read again, as it must without a restart. */
async function answersAgain(server: ServerProcess): Promise<void> {
  await until(
    async () => (await call(server, '/posts')).status,
    (status) => status === 200,
    { timeoutMs: 20_000, intervalMs: 500, what: 'GET /posts answering 200' },
  );
}

/** Waits for the server to log a line containing `text`. */
async function logged(
  server: ServerProcess,
  text: string,
  timeoutMs = 20_000,
): Promise<void> {
  await until(server.output, (output) => output.includes(text), {
    timeoutMs,
    intervalMs: 200,
    what: `the log line "${text}"`,
  });
}

async function signUpOn(
  server: ServerProcess,
): Promise<{ email: string; token: string }> {
  const email = `frozen${Date.now()}@example.com`;
  const signup = await call(server, '/auth/signup', {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(signup.status).toBe(201);
  return { email, token: signup.body.access_token as string };
}

// The dependencies here are the test's own; the project's database makes no difference.
describe.skipIf(testDatabaseKind() === 'postgres')(
  'A frozen Redis (SIGSTOP)',
  () => {
    let redis: OwnService;
    let server: ServerProcess;
    beforeAll(async () => {
      redis = await ownRedis();
      server = await startServer({
        DATABASE_URL: 'sqlite::memory:',
        REDIS_URL: redis.url,
        // Every limit on, so every request asks Redis.
        RATE_LIMIT: '1000',
        AUTH_RATE_LIMIT: '1000',
        LOGIN_FAILURE_LIMIT: '5',
      });
    });
    afterAll(async () => {
      await server?.stop('SIGKILL');
      await redis?.stop();
    });

    it('login, authenticated reads and logout still answer, from memory, and Redis is used again once thawed', async () => {
      const user = await signUpOn(server);
      redis.freeze();
      try {
        const me = await call(server, '/users/me', { token: user.token });
        expect(me.status).toBe(200);
        const login = await call(server, '/auth/login', {
          method: 'POST',
          body: JSON.stringify({ username: user.email, password: PASSWORD }),
        });
        expect(login.status).toBe(200);
        const wrong = await call(server, '/auth/login', {
          method: 'POST',
          body: JSON.stringify({ username: user.email, password: 'not it' }),
        });
        expect(wrong.status).toBe(401);
        const logout = await call(server, '/auth/logout', {
          method: 'POST',
          token: login.body.access_token as string,
          body: JSON.stringify({}),
        });
        expect(logout.status).toBe(204);
        const ready = await call(server, '/health/ready');
        expect(ready.status).toBe(503);
      } finally {
        redis.thaw();
      }
      await sleep(1000);
      expect((await call(server, '/health/ready')).status).toBe(200);
      expect(
        (await call(server, '/users/me', { token: user.token })).status,
      ).toBe(200);
    });
  },
);

describe.skipIf(
  testDatabaseKind() === 'postgres' ||
    !postgresBin() ||
    process.getuid?.() !== 0,
)('A frozen, then stopped, PostgreSQL', () => {
  let postgres: OwnService;
  let server: ServerProcess;
  let user: { email: string; token: string };
  beforeAll(async () => {
    postgres = await ownPostgres();
    server = await startServer({
      DATABASE_URL: postgres.url,
      // The end of an outage is an info line.
      LOG_LEVEL: 'info',
    });
    user = await signUpOn(server);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await postgres?.stop();
  });

  it('frozen: reads, logins, the token endpoint, a password reset, a second factor and a passkey ceremony answer 503 with Retry-After within the query deadline (a forgotten password 202 at once), and recover when thawed', async () => {
    expect((await call(server, '/posts')).status).toBe(200);
    postgres.freeze();
    try {
      const forgotAt = performance.now();
      const forgot = call(server, '/auth/password/forgot', {
        method: 'POST',
        body: JSON.stringify({ email: user.email }),
      }).then((answer) => ({ ...answer, ms: performance.now() - forgotAt }));
      const [posts, login, token, reset, secondFactor, passkey] =
        await Promise.all([
          call(server, '/posts?offset=1'),
          call(server, '/auth/login', {
            method: 'POST',
            body: JSON.stringify({ username: user.email, password: PASSWORD }),
          }),
          call(server, '/auth/token', {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'password',
              username: user.email,
              password: PASSWORD,
            }).toString(),
          }),
          call(server, '/auth/password/reset', {
            method: 'POST',
            body: JSON.stringify({
              token: 'A'.repeat(43),
              newPassword: 'a brand new passphrase 2026',
            }),
          }),
          call(server, '/auth/mfa/verify', {
            method: 'POST',
            body: JSON.stringify({ mfa_token: 'A'.repeat(43), code: '123456' }),
          }),
          call(server, '/auth/passkeys/login/options', { method: 'POST' }),
        ]);
      for (const answer of [
        posts,
        login,
        token,
        reset,
        secondFactor,
        passkey,
      ]) {
        expect(answer.status).toBe(503);
        expect(answer.retryAfter).toMatch(/^\d+$/);
      }
      // Answered before its lookup begins (so its timing tells nothing), well inside the
      // 10 s query deadline the others waited for.
      expect(await forgot).toMatchObject({ status: 202 });
      expect((await forgot).ms).toBeLessThan(5_000);
      expect(posts.body.detail).toMatch(/database is unavailable/);
      expect(token.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.any(String),
      });
      // The outbox's sender has one query in flight at a time, begun up to a poll (1 s) after
      // the freeze: stay frozen until its deadline has passed too, or a thaw just before it
      // would let that query succeed and the outage go unseen by the sender.
      await logged(server, 'outbox: cannot read due mail', 15_000);
    } finally {
      postgres.thaw();
    }
    await answersAgain(server);
    // The outbox's sender polls every second and met the same outage: one line as it began,
    // one as it ended, and it goes on polling.
    await logged(server, 'outbox: the database answers again');
    expect(server.output().match(/outbox: cannot read due mail/g)).toHaveLength(
      1,
    );
    expect(server.output()).toContain('outbox: the database answers again');
  });

  it('stopped: 503 with Retry-After at once, logged once, and 200 again without a restart', async () => {
    await postgres.stop();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(server, '/posts?limit=2')),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
    }
    await postgres.start();
    await answersAgain(server);
    // The outage is probed every few seconds; its end is logged by the probe that succeeds.
    await logged(server, 'database available again');
    const output = server.output();
    // Two outages in this file (frozen, stopped): one line as each began, one as it ended.
    expect(output.match(/database unavailable/g)?.length).toBeLessThanOrEqual(
      2,
    );
    expect(output).toContain('database available again');
    expect(output).not.toMatch(/^\s+at /m);
  });
});
