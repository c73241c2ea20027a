import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_JWT_SECRET } from './test-app.js';
import { testOidcKeyFile } from './oidc-key.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the built command-line tools (`dist/cli/<name>.js`, what `npm run user:create`
 * and `npm run client:create` run) with the test settings plus `env`, `input` piped to its
 * standard input.
 */
export function runCli(
  name: 'create-user' | 'create-client',
  args: string[],
  options: { env: Record<string, string>; cwd: string; input?: string },
): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, `../../dist/cli/${name}.js`), ...args],
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          JWT_SECRET: TEST_JWT_SECRET,
          OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
          ARGON2_MEMORY_KIB: '4096',
          ARGON2_TIME_COST: '1',
          ...options.env,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.input ?? '');
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}
