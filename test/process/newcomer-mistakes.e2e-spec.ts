import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { testDatabaseKind } from '../support/database.js';
import {
  freePort,
  MAIN,
  runUntilExit,
  scratchDirectory,
} from '../support/server-process.js';

/** The unprivileged user of most Linux systems. */
const NOBODY = { uid: 65534, gid: 65534 };

/** Whether `nobody` can read the built server: a checkout in a private folder cannot be. */
function nobodyCanRunTheServer(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('fs').accessSync(${JSON.stringify(MAIN)})`],
    { ...NOBODY, stdio: 'ignore' },
  );
  return probe.status === 0;
}

/** The lines a failed start printed, blank ones aside. */
const linesOf = (output: string) =>
  output.split('\n').filter((line) => line.trim() !== '');

/**
 * The mistakes a newcomer makes on a first start, as issue 24 found them: each ends the process
 * with a non-zero code within 20 s (the runner kills it after that), printing one line that names
 * the setting to change, and nothing else (no stack trace, no "successfully started").
 */
describe.skipIf(testDatabaseKind() === 'postgres')(
  'A first start that goes wrong says why in one line',
  () => {
    /** Runs the server in `cwd`; returns what it printed, after checking how it ended. */
    async function failedStart(
      env: Record<string, string>,
      cwd = scratchDirectory(),
      user?: { uid: number; gid: number },
    ): Promise<string[]> {
      const started = Date.now();
      const { code, output } = await runUntilExit(env, cwd, user);
      expect(code, output).toBe(1);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(output).not.toMatch(/\n\s+at |successfully started|EADDRINUSE/);
      return linesOf(output);
    }

    it('production without its settings names every one in one start', async () => {
      const lines = await failedStart({
        NODE_ENV: 'production',
        JWT_SECRET: '',
        MFA_ENCRYPTION_KEY: '',
      });
      expect(lines[0]).toBe('Invalid configuration (4 problems):');
      for (const variable of [
        'PUBLIC_URL',
        'JWT_SECRET',
        'MFA_ENCRYPTION_KEY',
        'SMTP_URL',
      ])
        expect(lines.join('\n')).toContain(`${variable} is required`);
      expect(lines).toHaveLength(5);
    });

    it.each([
      [{ PORT: '3000x' }, 'PORT must be an integer number'],
      [
        { ACCESS_TOKEN_TTL: 'forever' },
        'ACCESS_TOKEN_TTL must be a duration such as 900, 15m or 14d',
      ],
    ])('%j is one line naming the variable', async (env, message) => {
      expect(await failedStart(env)).toEqual([
        `Invalid configuration: ${message}`,
      ]);
    });

    it('a data folder that is a file is one line naming the secrets that need it', async () => {
      const cwd = scratchDirectory();
      writeFileSync(join(cwd, 'data'), '');
      expect(
        await failedStart({ JWT_SECRET: '', MFA_ENCRYPTION_KEY: '' }, cwd),
      ).toEqual([
        'Invalid configuration: JWT_SECRET and MFA_ENCRYPTION_KEY are not set, and development keeps generated ones in data/, but data is a file, not a folder: set JWT_SECRET and MFA_ENCRYPTION_KEY, or start from a folder where data/ can be written',
      ]);
    });

    it.skipIf(!nobodyCanRunTheServer())(
      'a folder the user may not write is one line (as nobody: skipped unless the tests run as root from a checkout nobody can read)',
      async () => {
        const cwd = scratchDirectory();
        chmodSync(cwd, 0o555);
        expect(
          await failedStart(
            { JWT_SECRET: '', MFA_ENCRYPTION_KEY: '' },
            cwd,
            NOBODY,
          ),
        ).toEqual([
          'Invalid configuration: JWT_SECRET and MFA_ENCRYPTION_KEY are not set, and development keeps generated ones in data/, but data cannot be created or written (permission denied): set JWT_SECRET and MFA_ENCRYPTION_KEY, or start from a folder where data/ can be written',
        ]);
      },
    );

    it('a SQLite path whose folder cannot be made is one line naming DATABASE_URL', async () => {
      expect(
        await failedStart({ DATABASE_URL: 'sqlite:/proc/nope/x.sqlite' }),
      ).toEqual([
        'Invalid configuration: DATABASE_URL names a SQLite file whose folder /proc/nope cannot be created there',
      ]);
    });

    it('a mail folder under a file is one line naming MAIL_OUTBOX_DIR', async () => {
      const cwd = scratchDirectory();
      writeFileSync(join(cwd, 'file'), '');
      const [line, ...rest] = await failedStart(
        { MAIL_OUTBOX_DIR: 'file/outbox' },
        cwd,
      );
      expect(rest).toEqual([]);
      expect(line).toMatch(
        /^Invalid configuration: MAIL_OUTBOX_DIR .*file is a file, not a folder$/,
      );
    });

    it('a port in use is one line naming PORT, and nothing says it started', async () => {
      const port = await freePort();
      const holder: Server = createServer();
      await new Promise<void>((done) => holder.listen(port, '127.0.0.1', done));
      try {
        expect(
          await failedStart({ PORT: String(port), HOST: '127.0.0.1' }),
        ).toEqual([
          `Warden failed to start: 127.0.0.1:${port} is already in use (PORT, HOST): stop what listens there or choose another PORT`,
        ]);
      } finally {
        await new Promise((done) => holder.close(done));
      }
    });
  },
);
