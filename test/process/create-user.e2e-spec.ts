import {
  createSharedTestDatabase,
  type TestDatabase,
} from '../support/database.js';
import { scratchDirectory, startServer } from '../support/server-process.js';
import {
  linkToken,
  relaySettings,
  sentTo,
  startSmtp,
} from '../support/smtp.js';
import { runCli } from '../support/cli.js';

const createUser = (
  args: string[],
  password: string,
  env: Record<string, string>,
  cwd: string,
) => runCli('create-user', args, { env, cwd, input: `${password}\n` });

describe('npm run user:create (the first admin)', () => {
  let database: TestDatabase;
  const cwd = scratchDirectory();
  beforeAll(async () => {
    database = await createSharedTestDatabase(cwd);
  });
  afterAll(() => database.drop());

  it('creates an admin from a piped password, who can then sign in and use admin routes', async () => {
    const env = { DATABASE_URL: database.url };
    const created = await createUser(
      [
        '--email',
        'Root@Example.com',
        '--username',
        'root_admin',
        '--full-name',
        'Root Admin',
        '--admin',
      ],
      'a long and unusual passphrase',
      env,
      cwd,
    );
    expect(created.code).toBe(0);
    const user = JSON.parse(created.stdout) as {
      email: string;
      roles: string[];
    };
    expect(user).toMatchObject({
      email: 'root@example.com',
      roles: ['user', 'admin'],
    });
    expect(created.stdout + created.stderr).not.toContain(
      'a long and unusual passphrase',
    );

    const server = await startServer(env, cwd);
    try {
      const login = await fetch(`${server.url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'root_admin',
          password: 'a long and unusual passphrase',
        }),
      });
      const tokens = (await login.json()) as {
        access_token: string;
        scope: string;
      };
      expect(tokens.scope).toContain('users:admin');
      const users = await fetch(`${server.url}/users`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(users.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('--send-verification mails a link as signup does, and the address stays unverified until it is used', async () => {
    const smtp = await startSmtp();
    const env = {
      DATABASE_URL: database.url,
      ...relaySettings(smtp.port),
      EMAIL_VERIFICATION: 'required',
    };
    const password = 'a long and unusual passphrase';
    try {
      const created = await createUser(
        ['--email', 'invitee@example.com', '--send-verification'],
        password,
        env,
        cwd,
      );
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        email: 'invitee@example.com',
        emailVerified: false,
      });
      const server = await startServer(env, cwd);
      try {
        const signIn = () =>
          fetch(`${server.url}/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'invitee@example.com', password }),
          });
        expect((await signIn()).status).toBe(403);
        // Sent by the command itself, or by the server's outbox sender if the command closed first.
        const mail = await smtp.waitFor(sentTo('invitee@example.com'));
        const verified = await fetch(`${server.url}/auth/email/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: linkToken(mail), password }),
        });
        expect(verified.status).toBe(204);
        expect((await signIn()).status).toBe(200);
        expect(
          smtp.received.filter(sentTo('invitee@example.com')),
        ).toHaveLength(1);
      } finally {
        await server.stop();
      }
    } finally {
      await smtp.close();
    }
  });

  it('refuses --send-verification while EMAIL_VERIFICATION=off, and creates nobody', async () => {
    const env = { DATABASE_URL: database.url, EMAIL_VERIFICATION: 'off' };
    const args = ['--email', 'nobody-yet@example.com'];
    const password = 'a long and unusual passphrase';
    const refused = await createUser(
      [...args, '--send-verification'],
      password,
      env,
      cwd,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--send-verification needs EMAIL_VERIFICATION=optional or required',
    );
    expect(refused.stdout).toBe('');
    expect((await createUser(args, password, env, cwd)).code).toBe(0);
  });

  it('refuses an address that looks like an existing one (UTS #39 skeleton), as signup does', async () => {
    const env = { DATABASE_URL: database.url };
    const password = 'a long and unusual passphrase';
    expect(
      (await createUser(['--email', 'copy@example.com'], password, env, cwd))
        .code,
    ).toBe(0);
    // "сору" in Cyrillic letters: a second account that would read as the first.
    const lookalike = await createUser(
      ['--email', '\u0441\u043e\u0440\u0443@example.com'],
      password,
      env,
      cwd,
    );
    expect(lookalike.code).not.toBe(0);
    expect(lookalike.stderr).toContain(
      'An account with this email already exists',
    );
  });

  it.each([
    [['--email', 'weak@example.com'], 'password', 'password is too common'],
    [
      ['--email', 'not-an-email'],
      'a long and unusual passphrase',
      'email must be a valid email address',
    ],
    [
      ['--email', 'short@example.com'],
      'short',
      'password must be between 8 and 128 characters',
    ],
    [
      ['--email', 'x@example.com', '--password', 'secret'],
      '',
      "Unknown option '--password'",
    ],
  ])(
    'refuses %j with the same rules as signup',
    async (args, password, message) => {
      const result = await createUser(
        args,
        password,
        { DATABASE_URL: database.url },
        cwd,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(message);
    },
  );
});
