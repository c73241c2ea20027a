import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestDatabase,
  testDatabaseKind,
  type TestDatabase,
} from '../support/database.js';
import {
  freePort,
  runUntilExit,
  scratchDirectory,
  startServer,
} from '../support/server-process.js';
import { createServer, type AddressInfo } from 'node:net';

const STRONG_SECRET = 'k3Y-8f2a9d1c0b7e6f5a4d3c2b1a0f9e8d7c6b5a';

describe('Start-up of the built server (node dist/main.js)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  // The configuration is refused before any database is touched: once, in the SQLite project,
  // is enough (these cases spawn a process each, ~80 s in all on a loaded machine).
  it
    .skipIf(testDatabaseKind() === 'postgres')
    .each<[Record<string, string>, string]>([
      [{ PORT: 'abc' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
      [{ ACCESS_TOKEN_TTL: 'forever' }, 'ACCESS_TOKEN_TTL'],
      [{ NODE_ENV: 'production', JWT_SECRET: '' }, 'JWT_SECRET is required'],
      [
        { NODE_ENV: 'production', JWT_SECRET: '0123456789abcdef' },
        'JWT_SECRET must be at least 32 bytes',
      ],
      [{ NODE_ENV: 'production', JWT_SECRET: 'secret' }, 'JWT_SECRET'],
      [
        { NODE_ENV: 'production', JWT_SECRET: 'your-256-bit-secret' },
        'JWT_SECRET',
      ],
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: 'your-256-bit-secret-your-256-bit-secret',
        },
        'JWT_SECRET is or contains a well-known example value',
      ],
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: '0123456789abcdef0123456789abcdef',
        },
        'JWT_SECRET is too predictable',
      ],
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: 'qwertyuiopasdfghjklzxcvbnm1234567890',
        },
        'JWT_SECRET is too predictable',
      ],
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.1.5' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
      [{ ACCESS_TOKEN_TTL: '3650d' }, 'ACCESS_TOKEN_TTL must be at most 1d'],
      [{ REFRESH_TOKEN_TTL: '3650d' }, 'REFRESH_TOKEN_TTL must be at most 90d'],
      [
        { SESSION_ABSOLUTE_TTL: '3650d' },
        'SESSION_ABSOLUTE_TTL must be at most 365d',
      ],
      [{ REQUEST_TIMEOUT: '0' }, 'REQUEST_TIMEOUT'],
      [{ MAX_CONNECTIONS: 'lots' }, 'MAX_CONNECTIONS'],
      [
        { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET },
        'SMTP_URL is required when NODE_ENV=production',
      ],
      [{ EMAIL_VERIFICATION: 'maybe' }, 'EMAIL_VERIFICATION'],
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: STRONG_SECRET,
          EMAIL_VERIFICATION: 'off',
          PASSWORD_RESET: 'false',
          MFA_ENCRYPTION_KEY: '',
        },
        'MFA_ENCRYPTION_KEY is required when NODE_ENV=production and MFA_TOTP is on',
      ],
      [
        { MFA_ENCRYPTION_KEY: 'c2hvcnQ=' },
        'MFA_ENCRYPTION_KEY must be 32 random bytes',
      ],
      // Nothing absolute from a request header: production names where it is reached.
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: STRONG_SECRET,
          SMTP_URL: 'smtp://mail.example.com',
          ACCOUNT_URL: 'https://app.example.com/account',
        },
        'PUBLIC_URL is required when NODE_ENV=production',
      ],
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: STRONG_SECRET,
          SMTP_URL: 'smtp://mail.example.com',
          PUBLIC_URL: 'https://auth.example.com',
          JWT_ISSUER: 'warden',
        },
        'JWT_ISSUER must equal PUBLIC_URL',
      ],
      // Secrets that read as phrases, and keys with a pattern.
      ...[
        'replace-me-with-a-real-secret-in-production',
        'supersecretkeythatisatleast32byteslong',
        'this-is-a-very-long-secret-key-for-jwt-signing',
      ].map((secret): [Record<string, string>, string] => [
        { NODE_ENV: 'production', JWT_SECRET: secret },
        'JWT_SECRET reads as a phrase',
      ]),
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: STRONG_SECRET,
          MFA_ENCRYPTION_KEY: '00'.repeat(32),
        },
        'MFA_ENCRYPTION_KEY has too few distinct characters',
      ],
      // An HS256 deployment upgraded without saying so keeps neither its tokens nor silence.
      [
        {
          NODE_ENV: 'production',
          JWT_SECRET: STRONG_SECRET,
          JWT_ALGORITHM: '',
        },
        'JWT_ALGORITHM is not set but JWT_SECRET is',
      ],
    ])(
    'exits non-zero on %j and names the variable, without a stack trace (CFG-02)',
    async (env, message) => {
      const { code, output } = await runUntilExit({
        DATABASE_URL: database.url,
        ...env,
      });
      expect(code).toBe(1);
      expect(output).toContain('Invalid configuration');
      expect(output).toContain(message);
      expect(output).not.toMatch(/^\s+at /m);
      // One line per problem, each naming its variable.
      for (const line of output.trim().split('\n').slice(1))
        expect(line).toMatch(/^ {2}- [A-Z_]+ /);
    },
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'exits with one line naming a missing PostgreSQL database and the command that creates it',
    async () => {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = '/warden_no_such_database';
      const { code, output } = await runUntilExit({
        DATABASE_URL: url.toString(),
      });
      expect(code).toBe(1);
      expect(output.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^Warden failed to start: database "warden_no_such_database" does not exist on .+ \(DATABASE_URL\); create it with: createdb .+ warden_no_such_database$/,
        ),
      ]);
    },
  );

  it('exits with one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) =>
      blocker.listen(0, '127.0.0.1', resolve),
    );
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, output } = await runUntilExit({
        DATABASE_URL: 'sqlite::memory:',
        HOST: '127.0.0.1',
        PORT: String(port),
      });
      expect(code).toBe(1);
      expect(output).toContain(
        `Warden failed to start: 127.0.0.1:${port} is already in use (PORT, HOST)`,
      );
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });

  it('exits with one line naming DATABASE_URL when the SQLite folder is a file', async () => {
    const dir = scratchDirectory();
    writeFileSync(join(dir, 'afile'), '');
    const { code, output } = await runUntilExit(
      { DATABASE_URL: 'sqlite:afile/warden.sqlite' },
      dir,
    );
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'Invalid configuration: DATABASE_URL names a SQLite file whose folder afile is a file, not a folder',
    );
  });

  it('exits at once with one line naming DATABASE_URL when the SQLite file cannot be opened (under /proc)', async () => {
    const { code, output } = await runUntilExit({
      DATABASE_URL: 'sqlite:/proc/warden.sqlite',
    });
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'Warden failed to start: cannot open the SQLite database /proc/warden.sqlite (DATABASE_URL): its folder must exist or be creatable, and be writable',
    );
  });

  it('retries an unreachable PostgreSQL for DATABASE_CONNECT_TIMEOUT with a line per attempt, then exits with one line', async () => {
    const started = Date.now();
    const { code, output } = await runUntilExit({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/warden`,
      DATABASE_CONNECT_TIMEOUT: '2',
    });
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^Warden failed to start: cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(DATABASE_URL\): ECONNREFUSED$/,
    );
    expect(lines.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(
        /^Database not reachable \(ECONNREFUSED\), attempt \d+; retrying for up to 2 s \(DATABASE_CONNECT_TIMEOUT\)$/,
      );
    // Bounded by the setting, not by a built-in retry count (generous for a loaded machine).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('exits naming JWT_PRIVATE_KEY_FILE when the key is not fit for the algorithm', async () => {
    const dir = scratchDirectory();
    const weak = join(dir, 'weak.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(weak, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    for (const [file, message] of [
      [weak, 'needs an RSA key of at least 2048 bits'],
      [garbage, 'is not a PEM key'],
    ]) {
      const { code, output } = await runUntilExit({
        DATABASE_URL: database.url,
        JWT_ALGORITHM: 'RS256',
        JWT_PRIVATE_KEY_FILE: file,
      });
      expect(code).toBe(1);
      expect(output).toContain('JWT_PRIVATE_KEY_FILE');
      expect(output).toContain(message);
      expect(output).not.toMatch(/^\s+at /m);
    }
  });

  it('in development, generates a JWT secret once under data/ and reuses it', async () => {
    const cwd = scratchDirectory();
    const env = {
      NODE_ENV: 'development',
      JWT_SECRET: '',
      DATABASE_URL: 'sqlite:data/dev.sqlite',
    };
    const first = await startServer(env, cwd);
    expect(await first.stop()).toBe(0);
    const secretFile = join(cwd, 'data/jwt-secret');
    expect(existsSync(secretFile)).toBe(true);
    const secret = readFileSync(secretFile, 'utf8');
    expect(existsSync(join(cwd, 'data/dev.sqlite'))).toBe(true);
    const second = await startServer(env, cwd);
    expect(await second.stop()).toBe(0);
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
  });

  it('in production, signs access tokens RS256 with the ID-token key by default, and serves no Swagger UI unless SWAGGER_ENABLED=true (CFG-01)', async () => {
    const server = await startServer({
      NODE_ENV: 'production',
      // Neither set: production's default, RS256 with OIDC_SIGNING_KEY_FILE's RSA key.
      JWT_ALGORITHM: '',
      JWT_SECRET: '',
      EMAIL_VERIFICATION: 'off',
      PASSWORD_RESET: 'false',
      DATABASE_URL: database.url,
    });
    try {
      for (const path of [
        '/docs',
        '/docs-json',
        '/api',
        '/api-json',
        '/swagger',
        '/swagger-ui',
      ]) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      const signup = await fetch(`${server.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'rs256@example.com',
          password: 'a long production passphrase',
        }),
      });
      expect(signup.status).toBe(201);
      const { access_token: accessToken } = (await signup.json()) as {
        access_token: string;
      };
      const header = JSON.parse(
        Buffer.from(accessToken.split('.')[0], 'base64url').toString(),
      ) as { alg: string; kid: string };
      expect(header.alg).toBe('RS256');
      const { keys } = (await (
        await fetch(`${server.url}/.well-known/jwks.json`)
      ).json()) as { keys: { kid: string; alg: string }[] };
      // One RSA key serves both kinds of token, published once.
      expect(keys.filter((key) => key.alg === 'RS256')).toEqual([
        expect.objectContaining({ kid: header.kid }),
      ]);
      const me = await fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
