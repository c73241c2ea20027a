import { PASSWORD } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startServer, type ServerProcess } from '../support/server-process.js';

const AUTH_LIMIT = 6;

describe('L. Security logging', () => {
  let database: TestDatabase;
  let server: ServerProcess;
  beforeAll(async () => {
    database = await createTestDatabase();
    const url =
      database.url === 'sqlite::memory:'
        ? 'sqlite:data/logging.sqlite'
        : database.url;
    server = await startServer({
      DATABASE_URL: url,
      LOG_LEVEL: 'info',
      AUTH_RATE_LIMIT: String(AUTH_LIMIT),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const call = async (
    method: string,
    path: string,
    body?: Record<string, string>,
    options: { form?: boolean; token?: string } = {},
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(body
          ? {
              'content-type': options.form
                ? 'application/x-www-form-urlencoded'
                : 'application/json',
            }
          : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: body
        ? options.form
          ? new URLSearchParams(body).toString()
          : JSON.stringify(body)
        : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
  const signup = async (name: string) => {
    const { body } = await call('POST', '/auth/signup', {
      email: `${name}@example.com`,
      username: name,
      password: PASSWORD,
    });
    return body as {
      user: { id: string };
      access_token: string;
      refresh_token: string;
    };
  };

  it('LOG-02: authorization failures (AZ-01, AZ-06) are logged with the user id', async () => {
    const alice = await signup('alice_logged');
    const bob = await signup('bob_logged');
    const { body: post } = await call(
      'POST',
      '/posts',
      { title: 't', content: 'c' },
      { token: alice.access_token },
    );
    const { body: todo } = await call(
      'POST',
      '/todos',
      { title: 'private' },
      { token: alice.access_token },
    );
    expect(
      (
        await call(
          'PATCH',
          `/posts/${String(post.id)}`,
          { title: 'x' },
          { token: bob.access_token },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call('GET', `/todos/${String(todo.id)}`, undefined, {
          token: bob.access_token,
        })
      ).status,
    ).toBe(404);
    const output = await server.waitForOutput(
      `asked for todo ${String(todo.id)}`,
    );
    expect(output).toContain(
      `authorization failed: user ${bob.user.id} may not change post ${String(post.id)}`,
    );
    expect(output).toContain(
      `authorization failed: user ${bob.user.id} asked for todo ${String(todo.id)}`,
    );
  });

  it('LOG-01, TOK-18, PWD-10: logins, failures and throttling are logged with user id and IP; no secret is', async () => {
    const alice = await call(
      'POST',
      '/auth/token',
      { grant_type: 'password', username: 'alice_logged', password: PASSWORD },
      { form: true },
    );
    expect(alice.status).toBe(200);
    const aliceId = (
      JSON.parse(
        Buffer.from(
          String(alice.body.access_token).split('.')[1],
          'base64url',
        ).toString(),
      ) as { sub: string }
    ).sub;
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_LIMIT; i++) {
      statuses.push(
        (
          await call('POST', '/auth/login', {
            username: 'alice_logged',
            password: 'wrong password',
          })
        ).status,
      );
    }
    expect(statuses).toContain(429);

    const output = await server.waitForOutput(/rate limited: ip/);
    expect(output).toMatch(
      new RegExp(
        `login: user ${aliceId} session [0-9a-f-]+ \\(pwd\\) ip 127\\.0\\.0\\.1`,
      ),
    );
    expect(output).toMatch(
      new RegExp(`login failed: user ${aliceId}, ip 127\\.0\\.0\\.1`),
    );
    expect(output).toMatch(
      /rate limited: ip 127\.0\.0\.1 on AuthController\.login/,
    );
    for (const secret of [
      PASSWORD,
      'wrong password',
      String(alice.body.access_token),
      String(alice.body.refresh_token),
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain('$argon2');
  });
});
