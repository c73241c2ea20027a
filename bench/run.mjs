// `npm run bench`: Warden against a bare node:http baseline, in one run on this machine.
// Server pinned to core 0, load generator (autocannon) to core 1 where taskset exists.
// Writes bench/results/latest.json (or BENCH_RESULT_FILE there). Never part of `npm test`.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH_SECRET,
  PASSWORD,
  ROOT,
  build,
  hasTaskset,
  json,
  pinned,
  startBenchScript,
  startWarden,
} from './lib.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

/** An unmeasured run first, so that both servers are measured with their code optimised. */
async function warmThenLoad(options) {
  if (WARMUP > 0) await load({ ...options, duration: WARMUP });
  return load(options);
}

function load(options) {
  const [command, args] = pinned(1, process.execPath, [
    join(ROOT, 'bench/load.mjs'),
    JSON.stringify({
      duration: DURATION,
      connections: CONNECTIONS,
      ...options,
    }),
  ]);
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) =>
      code === 0
        ? done(JSON.parse(out))
        : fail(new Error(`load exited ${code}`)),
    );
  });
}

/** `issuer`: the Warden whose tokens it is sent (its PUBLIC_URL). */
function startBaseline(user, issuer) {
  return startBenchScript(undefined, 'baseline.mjs', {
    JWT_SECRET: BENCH_SECRET,
    BASELINE_USER: JSON.stringify(user),
    BASELINE_PASSWORD: PASSWORD,
    BASELINE_ISSUER: issuer,
  });
}

/** Bulk rows for (f), in one transaction per table. */
function fillTables(file, userId) {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  const start = Date.now() - 200_000_000;
  const stamp = (i) =>
    new Date(start + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const post = db.prepare(
    'INSERT INTO posts (id, authorId, title, content, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const todo = db.prepare(
    'INSERT INTO todos (id, ownerId, title, description, done, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < 100_000; i++)
      post.run(
        randomUUID(),
        userId,
        `bulk post ${i}`,
        'Lorem ipsum '.repeat(20),
        stamp(i),
        stamp(i),
      );
  })();
  db.transaction(() => {
    for (let i = 0; i < 10_000; i++)
      todo.run(
        randomUUID(),
        userId,
        `bulk todo ${i}`,
        null,
        i % 2,
        stamp(i),
        stamp(i),
      );
  })();
  db.close();
}

build();
const warden = await startWarden();
console.log(
  `cold start to first response: ${warden.coldStartMs.toFixed(0)} ms (taskset: ${hasTaskset ? 'yes' : 'no'})`,
);
const signup = await json(warden.url, 'POST', '/auth/signup', {
  email: 'bench@example.com',
  username: 'bench_user',
  password: PASSWORD,
  fullName: 'Bench User',
});
const token = signup.body.access_token;
const auth = { authorization: `Bearer ${token}` };
for (let i = 0; i < 30; i++)
  await json(warden.url, 'POST', '/todos', { title: `todo ${i}` }, auth);
for (let i = 0; i < 20; i++)
  await json(
    warden.url,
    'POST',
    '/posts',
    { title: `post ${i}`, content: 'Lorem ipsum '.repeat(20) },
    auth,
  );
const loginBody = new URLSearchParams({
  grant_type: 'password',
  username: 'bench_user',
  password: PASSWORD,
}).toString();
const loginRequest = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: loginBody,
};

const results = {};
let peakRss = 0;
const sampler = setInterval(
  () => (peakRss = Math.max(peakRss, warden.rssMb())),
  250,
);

console.log('(a) GET /users/me …');
results.a_users_me = await warmThenLoad({
  url: `${warden.url}/users/me`,
  headers: auth,
});
console.log('(b) GET /todos …');
results.b_todos = await warmThenLoad({
  url: `${warden.url}/todos`,
  headers: auth,
});
console.log('(c) GET /posts …');
results.c_posts = await warmThenLoad({ url: `${warden.url}/posts` });
console.log('(d) POST /auth/token …');
results.d_token = await warmThenLoad({
  url: `${warden.url}/auth/token`,
  ...loginRequest,
  connections: 8,
});
console.log('(e) GET /users/me while logins saturate …');
const [e, eLogins] = await Promise.all([
  load({ url: `${warden.url}/users/me`, headers: auth, connections: 10 }),
  load({ url: `${warden.url}/auth/token`, ...loginRequest, connections: 8 }),
]);
results.e_users_me_under_login_load = e;
results.e_logins = eLogins;

// (f) the lists again with large tables: 100,000 posts and 10,000 todos of the bench user,
// written straight into the server's SQLite file (WAL lets a second writer in).
console.log('(f) filling 100,000 posts and 10,000 todos …');
fillTables(warden.databaseFile, signup.body.user.id);
console.log('(f) GET /posts with 100,000 posts …');
results.f_posts_100k = await warmThenLoad({ url: `${warden.url}/posts` });
console.log('(f) GET /todos with 10,000 todos …');
results.f_todos_10k = await warmThenLoad({
  url: `${warden.url}/todos`,
  headers: auth,
});
clearInterval(sampler);
await warden.stop();

const baseline = await startBaseline(signup.body.user, warden.url);
console.log('baseline GET /users/me …');
results.baseline_users_me = await warmThenLoad({
  url: `${baseline.url}/users/me`,
  headers: auth,
});
console.log('baseline POST /token …');
results.baseline_token = await warmThenLoad({
  url: `${baseline.url}/token`,
  ...loginRequest,
  connections: 8,
});
await baseline.stop();

const ratio = (a, b) =>
  Number((a.requestsPerSecond / b.requestsPerSecond).toFixed(2));
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cores: 2,
  taskset: hasTaskset,
  durationSeconds: DURATION,
  warmupSeconds: WARMUP,
  nodeOptions: process.env.BENCH_NODE_OPTIONS ?? '',
  connections: CONNECTIONS,
  coldStartMs: Math.round(warden.coldStartMs),
  peakRssMb: Math.round(peakRss),
  results,
  ratios: {
    a_users_me_vs_baseline: ratio(
      results.a_users_me,
      results.baseline_users_me,
    ),
    d_token_vs_baseline: ratio(results.d_token, results.baseline_token),
    f_posts_100k_vs_c: ratio(results.f_posts_100k, results.c_posts),
    f_todos_10k_vs_b: ratio(results.f_todos_10k, results.b_todos),
  },
  targets: {
    'a >= 0.5x baseline':
      ratio(results.a_users_me, results.baseline_users_me) >= 0.5,
    'd >= 0.9x baseline': ratio(results.d_token, results.baseline_token) >= 0.9,
    'e p99 < 50 ms': results.e_users_me_under_login_load.p99 < 50,
    'cold start < 1 s': warden.coldStartMs < 1000,
    'RSS < 150 MB': peakRss < 150,
    'f lists within 2x of small tables':
      ratio(results.f_posts_100k, results.c_posts) >= 0.5 &&
      ratio(results.f_todos_10k, results.b_todos) >= 0.5,
  },
};
writeFileSync(
  join(ROOT, 'bench/results', process.env.BENCH_RESULT_FILE ?? 'latest.json'),
  `${JSON.stringify(report, null, 2)}\n`,
);

const rows = Object.entries(results).map(([name, r]) => ({
  scenario: name,
  'req/s': Math.round(r.requestsPerSecond),
  p50: r.p50,
  p99: r.p99,
  non2xx: r.non2xx,
  errors: r.errors,
}));
console.table(rows);
console.log(
  'ratios',
  report.ratios,
  '\ncold start',
  report.coldStartMs,
  'ms; peak RSS',
  report.peakRssMb,
  'MB',
);
console.log('targets', report.targets);
