import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from './database.js';
import { scratchDirectory } from './scratch.js';
import { until } from './until.js';
import { TEST_ISSUER } from './jwt.js';
import { TEST_JWT_SECRET, TEST_MFA_KEY } from './test-app.js';
import { testOidcKeyFile } from './oidc-key.js';

/** The built server (`npm test` builds first, in its `pretest` script). */
export const MAIN = resolve(import.meta.dirname, '../../dist/main.js');

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Waits (up to 5 s: log lines are buffered for up to 250 ms) until the output matches. */
  waitForOutput(pattern: RegExp | string): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A JSON POST to a server started here, with a bearer token when one is given. */
export const postJson = (
  server: Pick<ServerProcess, 'url'>,
  path: string,
  body: unknown,
  token?: string,
): Promise<Response> =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** The environment of a child server: test settings, in a scratch directory of its own. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    // HS256 with the test secret, in production too (whose default is RS256): a test that wants
    // the default says JWT_ALGORITHM: '' (unset).
    JWT_ALGORITHM: 'HS256',
    JWT_SECRET: TEST_JWT_SECRET,
    MFA_ENCRYPTION_KEY: TEST_MFA_KEY,
    OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
    RATE_LIMIT: '0',
    AUTH_RATE_LIMIT: '0',
    LOGIN_FAILURE_LIMIT: '0',
    ...env,
  };
}

export { scratchDirectory };

/** Starts `node dist/main.js` and waits until /health/live answers. */
export async function startServer(
  env: Record<string, string>,
  cwd = scratchDirectory(),
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: childEnvironment({
      HOST: '127.0.0.1',
      PORT: String(port),
      // Production needs to know where clients reach it. Elsewhere the instances of a test share
      // one issuer, as instances behind one PUBLIC_URL do (its default names the port).
      ...(env.NODE_ENV === 'production'
        ? { PUBLIC_URL: `http://127.0.0.1:${port}` }
        : { JWT_ISSUER: TEST_ISSUER }),
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output}`);
    }
    await sleep(50);
  }
  return {
    url,
    port,
    child,
    output: () => output,
    waitForOutput: async (pattern) => {
      const matches = () =>
        typeof pattern === 'string'
          ? output.includes(pattern)
          : pattern.test(output);
      // Gives up quietly: callers assert on the output they get back.
      await until(matches, Boolean, { timeoutMs: 5000, intervalMs: 25 }).catch(
        () => undefined,
      );
      return output;
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill(signal);
      return exited;
    },
  };
}

/** Runs `node dist/main.js` expecting it to exit by itself; resolves with its code and output. */
export function runUntilExit(
  env: Record<string, string>,
  cwd = scratchDirectory(),
  /** Runs the server as this user (the test must be root to ask). */
  user?: { uid: number; gid: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd,
      env: childEnvironment({ PORT: '0', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/**
 * For a suite that needs one built server on a test database of its own: starts it before the
 * suite's tests, and kills it and drops the database after them. `server` is set once the
 * suite's `beforeAll` has run.
 */
export function serverForSuite(env: Record<string, string>): {
  server: ServerProcess;
} {
  const suite = {} as { server: ServerProcess };
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    suite.server = await startServer({ DATABASE_URL: database.url, ...env });
  });
  afterAll(async () => {
    await suite.server?.stop('SIGKILL');
    await drop?.();
  });
  return suite;
}

/**
 * Polls `GET /users/me` on `server` with the access token until it is refused: how long that
 * took after `since` (infinity past 5 s). For what one instance ends and another must refuse.
 */
export async function msUntilRefused(
  server: Pick<ServerProcess, 'url'>,
  token: string,
  since: number,
): Promise<number> {
  for (;;) {
    const { status } = await fetch(`${server.url}/users/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (status === 401) return Date.now() - since;
    if (Date.now() - since > 5000) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
