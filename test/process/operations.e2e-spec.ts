import { setTimeout as sleep } from 'node:timers/promises';
import { PASSWORD } from '../support/api.js';
import {
  createSharedTestDatabase,
  type TestDatabase,
} from '../support/database.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

const STRONG_SECRET = 'k3Y-8f2a9d1c0b7e6f5a4d3c2b1a0f9e8d7c6b5a';

async function json(
  server: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function signupOn(server: ServerProcess, name: string): Promise<string> {
  const response = await json(server, 'POST', '/auth/signup', {
    email: `${name}@example.com`,
    username: name,
    password: PASSWORD,
  });
  expect(response.status).toBe(201);
  return response.body.access_token as string;
}

describe('Operations: logs, graceful shutdown, durability', () => {
  let database: TestDatabase;
  let url: string;
  beforeAll(async () => {
    database = await createSharedTestDatabase();
    url = database.url;
  });
  afterAll(() => database.drop());

  it('writes JSON lines in production, with the request id on the response and on the line; nothing forged or secret', async () => {
    const server = await startServer({
      NODE_ENV: 'production',
      JWT_SECRET: STRONG_SECRET,
      // No mail in this test: production would otherwise need a relay (SMTP_URL).
      EMAIL_VERIFICATION: 'off',
      PASSWORD_RESET: 'false',
      LOG_LEVEL: 'info',
      DATABASE_URL: url,
    });
    try {
      const tagged = await json(server, 'GET', '/', undefined, {
        'X-Request-Id': 'trace-abc.123',
      });
      expect(tagged.headers.get('x-request-id')).toBe('trace-abc.123');
      const untagged = await json(server, 'GET', '/', undefined, {
        'X-Request-Id': 'has spaces; and=more',
      });
      expect(untagged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const forged = 'evil\n{"level":30,"msg":"login: user admin"}\r\nx';
      await json(
        server,
        'POST',
        '/auth/login',
        { username: forged, password: 'secret guess 1' },
        { 'X-Request-Id': 'req-forge' },
      );
      const token = await signupOn(server, 'log_reader');
      await json(
        server,
        'GET',
        '/users/me?access_token=in-the-query',
        undefined,
        { authorization: `Bearer ${token}` },
      );
      await server.waitForOutput(/"path":"\/users\/me"/);

      // Complete lines only: a buffered write may be arriving while we read.
      const lines = server.output().split('\n').slice(0, -1).filter(Boolean);
      const entries = lines.map(
        (line) =>
          JSON.parse(line) as { msg?: string; reqId?: string; path?: string },
      );
      expect(
        entries.some(
          (entry) =>
            entry.reqId === 'trace-abc.123' &&
            entry.msg === 'request completed',
        ),
      ).toBe(true);
      const loginFailure = entries.find((entry) =>
        entry.msg?.startsWith('login failed'),
      );
      expect(loginFailure?.reqId).toBe('req-forge');
      expect(
        entries.find((entry) => entry.path?.startsWith('/users/me'))?.path,
      ).toBe('/users/me');
      expect(
        entries.filter((entry) => entry.msg === 'login: user admin'),
      ).toHaveLength(0);
      const output = server.output();
      for (const secret of ['secret guess 1', PASSWORD, token, 'in-the-query'])
        expect(output).not.toContain(secret);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('on SIGTERM finishes every request in flight, closes, and exits 0', async () => {
    // Production argon2 settings, so that logins are in flight long enough to be caught.
    const server = await startServer({
      DATABASE_URL: url,
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
    });
    await signupOn(server, 'shutdown_user');
    const inFlight = Array.from({ length: 20 }, () =>
      json(server, 'POST', '/auth/login', {
        username: 'shutdown_user',
        password: PASSWORD,
      }).then((r) => r.status),
    );
    await sleep(30);
    const exit = server.stop('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(statuses).toEqual(Array<number>(20).fill(200));
    expect(await exit).toBe(0);
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  });

  it('loses no acknowledged write when killed with SIGKILL under load, and the database stays consistent', async () => {
    let server = await startServer({ DATABASE_URL: url });
    const token = await signupOn(server, 'durable_user');
    const acknowledged = new Set<string>();
    let stop = false;
    const writer = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const response = await json(
            server,
            'POST',
            '/todos',
            { title: `w${worker}-${i}` },
            { authorization: `Bearer ${token}` },
          );
          if (response.status === 201)
            acknowledged.add(response.body.id as string);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, worker) => writer(worker));
    while (acknowledged.size < 150) await sleep(10);
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await server.stop();

    server = await startServer({ DATABASE_URL: url });
    try {
      const login = await json(server, 'POST', '/auth/login', {
        username: 'durable_user',
        password: PASSWORD,
      });
      const fresh = login.body.access_token as string;
      const stored = new Set<string>();
      for (let offset = 0; ; offset += 100) {
        const page = await fetch(
          `${server.url}/todos?limit=100&offset=${offset}`,
          { headers: { authorization: `Bearer ${fresh}` } },
        );
        const todos = (await page.json()) as { id: string }[];
        todos.forEach((todo) => stored.add(todo.id));
        if (todos.length < 100) {
          expect(Number(page.headers.get('x-total-count'))).toBe(stored.size);
          break;
        }
      }
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      expect(stored.size).toBeGreaterThanOrEqual(acknowledged.size);
      expect((await json(server, 'GET', '/health/ready')).status).toBe(200);
    } finally {
      await server.stop();
    }
    if (url.startsWith('sqlite:')) {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(url.slice('sqlite:'.length), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    }
  });
});
