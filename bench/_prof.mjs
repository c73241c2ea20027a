import autocannon from 'autocannon';
import { json, PASSWORD, startWarden } from './lib.mjs';
import { dpopBoundToken } from './dpop.mjs';
const redis = process.env.PROF_REDIS;
const warden = await startWarden(
  redis ? { REDIS_URL: redis, REDIS_KEY_PREFIX: 'prof:' } : {},
  { nodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] },
);
await json(warden.url, 'POST', '/auth/signup', { email: 'p@example.com', username: 'prof', password: PASSWORD });
const bound = await dpopBoundToken(warden.url, 'prof', PASSWORD);
const url = `${warden.url}/users/me`;
for (let r = 0; r < 4; r++) {
  const proofs = Array.from({ length: 4000 }, () => bound.key.proof('GET', url, bound.token));
  await new Promise((done) => autocannon({ url, headers: { authorization: `DPoP ${bound.token}` }, amount: 4000, connections: 20, requests: [{ setupRequest: (q) => ({ ...q, headers: { ...q.headers, dpop: proofs.pop() } }) }] }, done));
}
warden.child.kill('SIGINT');
await new Promise((r) => warden.child.once('exit', r));
