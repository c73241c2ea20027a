import { setTimeout as sleep } from 'node:timers/promises';
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

// Skipped without TEST_REDIS_URL; test/support/global-setup.ts says so at the start of the run.
const redisUrl = process.env.TEST_REDIS_URL;

interface InstancePair {
  a: ServerProcess;
  b: ServerProcess;
}

/**
 * Two server processes on one database that both can open (a SQLite file in WAL mode, or the
 * PostgreSQL schema), started one after the other so that the first runs the migrations.
 * Stopped, and the database dropped, after the suite.
 */
function instancePair(env: Record<string, string>): InstancePair {
  const pair = {} as InstancePair;
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createSharedTestDatabase();
    pair.a = await startServer({ DATABASE_URL: database.url, ...env });
    pair.b = await startServer({ DATABASE_URL: database.url, ...env });
  });
  afterAll(async () => {
    await Promise.all([pair.a?.stop(), pair.b?.stop()]);
    await database?.drop();
  });
  return pair;
}

interface Json {
  [key: string]: unknown;
}

/**
 * Two server processes on two ports sharing one database and one Redis, as a deployment behind
 * a load balancer would: whatever ends a session on one instance must be refused by the other
 * within a second.
 */
describe.skipIf(!redisUrl)(
  'Two instances sharing the database and Redis',
  () => {
    const pair = instancePair({ REDIS_URL: redisUrl! });

    const call = async (
      server: ServerProcess,
      method: string,
      path: string,
      options: {
        token?: string;
        json?: unknown;
        form?: Record<string, string>;
      } = {},
    ): Promise<{ status: number; body: Json }> => {
      const headers: Record<string, string> = {};
      let body: string | undefined;
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      }
      if (options.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      }
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        body,
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? (JSON.parse(text) as Json) : {},
      };
    };

    let counter = 0;
    const signUp = async (server: ServerProcess) => {
      const name = `multi_${Date.now().toString(36)}_${counter++}`;
      const response = await call(server, 'POST', '/auth/signup', {
        json: {
          email: `${name}@example.com`,
          username: name,
          password: PASSWORD,
        },
      });
      expect(response.status).toBe(201);
      return {
        username: name,
        accessToken: response.body.access_token as string,
        refreshToken: response.body.refresh_token as string,
      };
    };
    const refresh = (server: ServerProcess, refreshToken: string) =>
      call(server, 'POST', '/auth/token', {
        form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      });

    it('log in on A, refresh on B, log out on B: A refuses the access token within 1 s', async () => {
      const user = await signUp(pair.a);
      const rotated = await refresh(pair.b, user.refreshToken);
      expect(rotated.status).toBe(200);
      const accessToken = rotated.body.access_token as string;
      // Warm A's caches for this user and session.
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: accessToken })).status,
      ).toBe(200);
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: user.accessToken }))
          .status,
      ).toBe(200);

      const loggedOut = Date.now();
      const logout = await call(pair.b, 'POST', '/auth/logout', {
        json: { refresh_token: rotated.body.refresh_token },
      });
      expect(logout.status).toBe(204);
      expect(await msUntilRefused(pair.a, accessToken, loggedOut)).toBeLessThan(
        1000,
      );
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: user.accessToken }))
          .status,
      ).toBe(401);
      expect(
        (await refresh(pair.a, rotated.body.refresh_token as string)).body
          .error,
      ).toBe('invalid_grant');
    });

    it('detects refresh-token reuse across instances and ends the session on both', async () => {
      const user = await signUp(pair.a);
      const rotated = await refresh(pair.a, user.refreshToken);
      expect(rotated.status).toBe(200);
      const accessToken = rotated.body.access_token as string;
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: accessToken })).status,
      ).toBe(200);
      expect(
        (await call(pair.b, 'GET', '/users/me', { token: accessToken })).status,
      ).toBe(200);

      const reusedAt = Date.now();
      const reuse = await refresh(pair.b, user.refreshToken);
      expect(reuse.status).toBe(400);
      expect(reuse.body.error).toBe('invalid_grant');
      expect(await msUntilRefused(pair.a, accessToken, reusedAt)).toBeLessThan(
        1000,
      );
      expect(await msUntilRefused(pair.b, accessToken, reusedAt)).toBeLessThan(
        1000,
      );
      expect(
        (await refresh(pair.a, rotated.body.refresh_token as string)).body
          .error,
      ).toBe('invalid_grant');
    });

    it('a password change on B ends the other sessions on A within 1 s; a profile edit on B shows on A at once', async () => {
      const user = await signUp(pair.a);
      const second = await call(pair.a, 'POST', '/auth/token', {
        form: {
          grant_type: 'password',
          username: user.username,
          password: PASSWORD,
        },
      });
      const otherToken = second.body.access_token as string;
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: otherToken })).status,
      ).toBe(200);

      const edited = await call(pair.b, 'PATCH', '/users/me', {
        token: user.accessToken,
        json: { fullName: 'Renamed on B' },
      });
      expect(edited.status).toBe(200);
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: user.accessToken }))
          .body.fullName,
      ).toBe('Renamed on B');

      const changedAt = Date.now();
      const change = await call(pair.b, 'POST', '/users/me/password', {
        token: user.accessToken,
        json: {
          currentPassword: PASSWORD,
          newPassword: 'another long passphrase',
        },
      });
      expect(change.status).toBe(204);
      expect(await msUntilRefused(pair.a, otherToken, changedAt)).toBeLessThan(
        1000,
      );
      expect(
        (await call(pair.a, 'GET', '/users/me', { token: user.accessToken }))
          .status,
      ).toBe(200);
    });
  },
);

/**
 * The control for the suite above: without Redis each instance trusts its own cache, so a logout
 * on one is not seen by the other until the cache entry expires. This is why several instances
 * need REDIS_URL, and it shows the suite above measures the Redis path, not a database read.
 */
describe('Two instances without Redis (control)', () => {
  const pair = instancePair({});

  it('keeps accepting a logged-out token on the other instance while its cache holds', async () => {
    const name = `solo_${Date.now().toString(36)}`;
    const signup = await fetch(`${pair.a.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `${name}@example.com`,
        username: name,
        password: PASSWORD,
      }),
    });
    const tokens = (await signup.json()) as {
      access_token: string;
      refresh_token: string;
    };
    const me = (server: ServerProcess) =>
      fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }).then((response) => response.status);
    expect(await me(pair.a)).toBe(200);
    const logout = await fetch(`${pair.b.url}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
    });
    expect(logout.status).toBe(204);
    expect(await me(pair.b)).toBe(401);
    await sleep(1500);
    expect(await me(pair.a)).toBe(200);
  });
});

describe.skipIf(!redisUrl)(
  'I. Rate limits shared by two instances through Redis',
  () => {
    const AUTH_LIMIT = 5;
    const pair = instancePair({
      REDIS_URL: redisUrl!,
      // A namespace of its own, so parallel runs sharing this Redis do not share counts.
      REDIS_KEY_PREFIX: `warden-test-${Date.now().toString(36)}-${testDatabaseKind()}:`,
      AUTH_RATE_LIMIT: String(AUTH_LIMIT),
    });

    it('RL-06: requests alternated between the instances trip the limit at N+1', async () => {
      const statuses: number[] = [];
      for (let i = 0; i <= AUTH_LIMIT; i++) {
        const server = i % 2 === 0 ? pair.a : pair.b;
        const response = await fetch(`${server.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            username: `nobody_${i}`,
            password: 'wrong password',
          }),
        });
        statuses.push(response.status);
        if (response.status === 429)
          expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      }
      expect(statuses).toEqual([...Array<number>(AUTH_LIMIT).fill(401), 429]);
    });
  },
);

describe.skipIf(!redisUrl)(
  'I. The per-account password budget shared by two instances through Redis',
  () => {
    const LIMIT = 5;
    const BURST = 40;
    const pair = instancePair({
      REDIS_URL: redisUrl!,
      REDIS_KEY_PREFIX: `warden-test-${Date.now().toString(36)}-${testDatabaseKind()}-budget:`,
      LOGIN_FAILURE_LIMIT: String(LIMIT),
      PASSWORD_HASH_CONCURRENCY: '1',
    });

    it('a parallel burst of wrong passwords split across both instances gets exactly the limit checked', async () => {
      const signup = await fetch(`${pair.a.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `burst${Date.now()}@example.com`,
          password: PASSWORD,
        }),
      });
      expect(signup.status).toBe(201);
      const { user } = (await signup.json()) as { user: { email: string } };
      const login = (server: ServerProcess, password: string) =>
        fetch(`${server.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: user.email, password }),
        });
      const responses = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          login(i % 2 === 0 ? pair.a : pair.b, `wrong ${i}`),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(LIMIT);
      expect(statuses.filter((status) => status === 429)).toHaveLength(
        BURST - LIMIT,
      );
      // Locked on both instances, for the right password too.
      expect((await login(pair.a, PASSWORD)).status).toBe(429);
      expect((await login(pair.b, PASSWORD)).status).toBe(429);
    });
  },
);
