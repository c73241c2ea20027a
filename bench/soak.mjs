// Soak: 60 s of mixed traffic (logins, refreshes, reads, writes) from 50 connections against one
// production-mode instance. Reports 5xx (must be 0), lost writes (must be 0) and RSS over time
// (must stay bounded). Run by hand: `npm run soak` (SOAK_SECONDS and SOAK_CONNECTIONS to change).
import { PASSWORD, build, json, startWarden } from './lib.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);

build();
const warden = await startWarden();
const { url } = warden;
console.log(
  `warden up in ${warden.coldStartMs.toFixed(0)} ms; soaking ${SECONDS} s with ${CONNECTIONS} connections`,
);

const counts = { requests: 0, byStatus: {}, errors: 0 };
const created = new Map(); // username -> Set of todo ids answered 201
const rss = [];
const deadline = Date.now() + SECONDS * 1000;

async function worker(index) {
  const username = `soak_${index}_${Date.now().toString(36)}`;
  const signup = await json(url, 'POST', '/auth/signup', {
    email: `${username}@example.com`,
    username,
    password: PASSWORD,
  });
  let { access_token: access, refresh_token: refresh } = signup.body;
  const mine = new Set();
  created.set(username, mine);
  const record = (status) => {
    counts.requests++;
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
  };
  for (let i = 0; Date.now() < deadline; i++) {
    try {
      const roll = i % 20;
      if (roll === 0) {
        const login = await json(url, 'POST', '/auth/token', undefined, {});
        record(login.status); // a malformed token request: 400
        const form = await fetch(`${url}/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password',
            username,
            password: PASSWORD,
          }),
        });
        record(form.status);
        const body = await form.json();
        if (form.ok) ({ access_token: access, refresh_token: refresh } = body);
      } else if (roll === 10) {
        const rotated = await json(url, 'POST', '/auth/refresh', {
          refresh_token: refresh,
        });
        record(rotated.status);
        if (rotated.status === 200)
          ({ access_token: access, refresh_token: refresh } = rotated.body);
      } else if (roll % 3 === 0) {
        const todo = await json(
          url,
          'POST',
          '/todos',
          { title: `soak ${i}` },
          { authorization: `Bearer ${access}` },
        );
        record(todo.status);
        if (todo.status === 201) mine.add(todo.body.id);
      } else if (roll % 3 === 1) {
        record(
          (
            await json(url, 'GET', '/todos?limit=20', undefined, {
              authorization: `Bearer ${access}`,
            })
          ).status,
        );
      } else {
        record(
          (
            await json(
              url,
              'GET',
              roll % 2 ? '/users/me' : '/posts',
              undefined,
              { authorization: `Bearer ${access}` },
            )
          ).status,
        );
      }
    } catch {
      counts.errors++;
    }
  }
}

const sampler = setInterval(() => rss.push(warden.rssMb()), 1000);
await Promise.all(
  Array.from({ length: CONNECTIONS }, (_, index) => worker(index)),
);
clearInterval(sampler);

let lost = 0;
let checked = 0;
for (const [username, ids] of created) {
  const login = await json(url, 'POST', '/auth/login', {
    username,
    password: PASSWORD,
  });
  const stored = new Set();
  for (let offset = 0; ; offset += 100) {
    const page = await json(
      url,
      'GET',
      `/todos?limit=100&offset=${offset}`,
      undefined,
      { authorization: `Bearer ${login.body.access_token}` },
    );
    page.body.forEach((todo) => stored.add(todo.id));
    if (page.body.length < 100) break;
  }
  for (const id of ids) {
    checked++;
    if (!stored.has(id)) lost++;
  }
}
await warden.stop();

const fiveXx = Object.entries(counts.byStatus)
  .filter(([status]) => Number(status) >= 500)
  .reduce((n, [, c]) => n + c, 0);
const summary = {
  seconds: SECONDS,
  connections: CONNECTIONS,
  requests: counts.requests,
  requestsPerSecond: Math.round(counts.requests / SECONDS),
  byStatus: counts.byStatus,
  clientErrors: counts.errors,
  fiveXx,
  writesAcknowledged: checked,
  writesLost: lost,
  rssMb: { first: rss[0], max: Math.max(...rss), last: rss.at(-1) },
};
console.log(JSON.stringify(summary, null, 2));
if (fiveXx > 0 || lost > 0 || counts.errors > 0) process.exit(1);
