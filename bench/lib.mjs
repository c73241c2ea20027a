// Shared by the benchmark and the soak test: start the built server like production, load it,
// read its memory. Plain ESM JavaScript so that it runs with no build step of its own.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '..');
export const PASSWORD = 'correct horse battery staple';
// Production refuses predictable secrets, so each run makes a random one (shared with the
// baseline through the environment).
export const BENCH_SECRET = randomBytes(48).toString('base64url');

export const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** `taskset -c CORE command...` where taskset exists, so server and load generator do not share a core. */
export function pinned(core, command, args) {
  return hasTaskset
    ? ['taskset', ['-c', String(core), command, ...args]]
    : [command, args];
}

export async function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export function build() {
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/**
 * Starts `node dist/main.js` in production mode on core 0; resolves once it answers, with the
 * cold-start time. `runtime` picks another Node binary (`node`), its flags (`nodeArgs`) and the
 * tree whose dist and node_modules it runs (`root`).
 */
/**
 * OIDC_SIGNING_KEY_FILE for a bench server, in its folder: an RSA key and a P-256 key, as
 * production keeps them (and so the JWKS a client would fetch).
 */
export function oidcKeyFile(dir) {
  const pem = ({ privateKey }) =>
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const file = join(dir, 'oidc-signing-key.pem');
  writeFileSync(
    file,
    pem(generateKeyPairSync('rsa', { modulusLength: 2048 })) +
      pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
    { mode: 0o600 },
  );
  return file;
}

export async function startWarden(env = {}, runtime = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const oidcKey = oidcKeyFile(dir);
  const [command, args] = pinned(0, runtime.node ?? process.execPath, [
    ...(runtime.nodeArgs ?? []),
    join(runtime.root ?? ROOT, 'dist/main.js'),
  ]);
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // HS256, as the benches have always measured (production's default is RS256): a run can
      // say JWT_ALGORITHM=RS256 JWT_SECRET= through `env` to measure that.
      JWT_ALGORITHM: 'HS256',
      JWT_SECRET: BENCH_SECRET,
      OIDC_SIGNING_KEY_FILE: oidcKey,
      MFA_ENCRYPTION_KEY:
        '5d2a8f1c93e47b06a1f85c3d29e6b7040c8f5a1e63d92b7f48a0c6e15d3b9f27',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // The benches measure the API, not mail; production would otherwise need SMTP_URL.
      EMAIL_VERIFICATION: 'off',
      PASSWORD_RESET: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
      // Throttling stays on, with limits high enough not to refuse the load.
      RATE_LIMIT: '100000000',
      AUTH_RATE_LIMIT: '100000000',
      // Above the login scenarios' concurrency: each login in flight holds one attempt of the
      // account's budget until its password is verified.
      LOGIN_FAILURE_LIMIT: '100',
      // V8 flags for Warden only (e.g. heap limits), to measure their effect.
      ...(process.env.BENCH_NODE_OPTIONS
        ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error('warden exited during start-up');
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // not yet
    }
    await sleep(5);
  }
  const coldStartMs = performance.now() - started;
  return {
    url,
    child,
    coldStartMs,
    databaseFile: join(dir, 'bench.sqlite'),
    // With taskset the child is taskset, which exec()s node: same pid.
    rssMb: () => rssMb(child.pid),
    // The folder (database, data/, outbox) goes with the server.
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

export function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function json(url, method, path, body, headers = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/**
 * Starts `bench/<script>` (a baseline server) on core 0 with `PORT` and `env`, on the given
 * runtime (default: this Node and this tree); resolves once it answers.
 */
export async function startBenchScript(
  runtime = { node: process.execPath, root: ROOT },
  script,
  env = {},
) {
  const port = await freePort();
  const [command, args] = pinned(0, runtime.node, [
    join(runtime.root, 'bench', script),
  ]);
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited`);
    try {
      await fetch(url);
      break;
    } catch {
      await sleep(20);
    }
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((done) => {
        child.once('exit', done);
        child.kill();
      }),
  };
}
