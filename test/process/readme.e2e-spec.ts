import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { testDatabaseKind } from '../support/database.js';
import {
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

/**
 * The documentation's command blocks work when pasted: each block marked
 * `<!-- readme-test: name -->`, in the README or a file of docs/, runs here in bash, in a fresh
 * folder, against the built server. A block that ends in `... npm start` has its set-up lines
 * run and the server started with that line's variables (`npm start` itself is
 * `node dist/main.js` after a build, which the suite has done).
 */
const root = resolve(import.meta.dirname, '../..');
const documentation = [
  readFileSync(resolve(root, 'README.md'), 'utf8'),
  ...readdirSync(resolve(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => readFileSync(resolve(root, 'docs', file), 'utf8')),
].join('\n');

function block(name: string): string {
  const match = new RegExp(
    `<!-- readme-test: ${name} -->\\s*\`\`\`bash\\n([\\s\\S]*?)\`\`\``,
  ).exec(documentation);
  if (!match) throw new Error(`the documentation has no block marked ${name}`);
  return match[1];
}

/** Splits a block into its set-up lines and the variables of its final `npm start` line. */
function splitStart(text: string): {
  setup: string;
  env: Record<string, string>;
} {
  const lines = text.trim().split('\n');
  const start = /^((?:[A-Z_]+=\S+ )*)npm start$/.exec(lines.at(-1) ?? '');
  if (!start) throw new Error(`block does not end in npm start:\n${text}`);
  const env = Object.fromEntries(
    start[1]
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return { setup: lines.slice(0, -1).join('\n'), env };
}

const bash = (script: string, cwd: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });

// The blocks need no particular database; the SQLite project runs them once.
describe.skipIf(testDatabaseKind() === 'postgres')(
  'Documentation command blocks, pasted into a fresh folder',
  () => {
    let server: ServerProcess | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    it('quick start: sign up, sign in with the password grant, read /users/me', async () => {
      const dir = scratchDirectory();
      server = await startServer({}, dir);
      const output = bash(
        block('quick-start').replaceAll(
          'localhost:3000',
          `127.0.0.1:${server.port}`,
        ),
        dir,
      );
      expect(output).toContain('"email":"jane@example.com"');
      expect(output).toMatch(/"fullName":"Jane Doe"/);
    });

    it.each(['rs256', 'es256'])(
      'keys (%s): generate the key, start with it, and serve it in the JWKS',
      async (name) => {
        const dir = scratchDirectory();
        const { setup, env } = splitStart(block(name));
        bash(setup, dir);
        server = await startServer(env, dir);
        const jwks = (await (
          await fetch(`${server.url}/.well-known/jwks.json`)
        ).json()) as { keys: { kty: string; alg: string }[] };
        // The access-token key the README made, then the ID-token keys (the test file's RSA and
        // P-256 keys).
        expect(jwks.keys).toEqual([
          expect.objectContaining({ alg: name.toUpperCase() }),
          expect.objectContaining({ alg: 'RS256', kty: 'RSA' }),
          expect.objectContaining({ alg: 'ES256', kty: 'EC' }),
        ]);
        const signup = await fetch(`${server.url}/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: 'keys@example.com',
            password: 'correct horse battery staple',
          }),
        });
        const { access_token: token } = (await signup.json()) as {
          access_token: string;
        };
        const me = await fetch(`${server.url}/users/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(me.status).toBe(200);
      },
    );

    it.skipIf(!process.env.TEST_DATABASE_URL)(
      'PostgreSQL: create the database, start on it',
      async () => {
        const name = `warden_readme_${randomBytes(4).toString('hex')}`;
        // The documentation's database name, made unique so parallel runs do not meet.
        const { setup, env } = splitStart(
          block('postgres').replace(/\bwarden\b/g, name),
        );
        const dir = scratchDirectory();
        bash(setup, dir);
        try {
          expect(env.DATABASE_URL).toContain(`/${name}`);
          server = await startServer(env, dir);
          const ready = await fetch(`${server.url}/health/ready`);
          expect(ready.status).toBe(200);
        } finally {
          await server?.stop();
          server = undefined;
          bash(`dropdb --if-exists -h 127.0.0.1 -U postgres ${name}`, dir);
        }
      },
    );
  },
);

// Kept beside the blocks it reads, so a renamed marker fails here rather than silently.
it('every documentation block marked for testing exists', () => {
  for (const name of ['quick-start', 'postgres', 'rs256', 'es256'])
    expect(block(name)).not.toBe('');
});
