import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PASSWORD } from '../support/api.js';
import { testDatabaseKind } from '../support/database.js';
import { ownRedis, type OwnService } from '../support/own-services.js';
import {
  scratchDirectory,
  startServer,
  type ServerProcess,
} from '../support/server-process.js';

/**
 * Two instances sharing a SQLite file and a Redis of the test's own. A frozen Redis delivers no
 * invalidation and reports nothing (the connection stays open): the instances must notice by the
 * subscription's heartbeat and stop trusting their caches, so a logout on one is refused on the
 * other although the message could not arrive.
 */
describe.skipIf(testDatabaseKind() === 'postgres')(
  'Two instances while their Redis is frozen (SIGSTOP)',
  () => {
    let redis: OwnService;
    let a: ServerProcess;
    let b: ServerProcess;
    beforeAll(async () => {
      redis = await ownRedis();
      const url = `sqlite:${join(scratchDirectory(), 'shared.sqlite')}`;
      a = await startServer({ DATABASE_URL: url, REDIS_URL: redis.url });
      b = await startServer({ DATABASE_URL: url, REDIS_URL: redis.url });
    });
    afterAll(async () => {
      await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
      await redis?.stop();
    });

    const me = (server: ServerProcess, token: string) =>
      fetch(`${server.url}/users/me`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      }).then((response) => response.status);

    it('a logout on one instance is refused on the other, and caching resumes after SIGCONT', async () => {
      const signup = await fetch(`${a.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `stalled${Date.now()}@example.com`,
          password: PASSWORD,
        }),
      });
      const { access_token: token } = (await signup.json()) as {
        access_token: string;
      };
      // A's cache now holds the user and the session.
      expect(await me(a, token)).toBe(200);
      redis.freeze();
      try {
        // A heartbeat and its deadline are 2 s; more, for a loaded machine.
        await sleep(5000);
        const logout = await fetch(`${b.url}/auth/logout`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: '{}',
          signal: AbortSignal.timeout(30_000),
        });
        expect(logout.status).toBe(204);
        expect(await me(a, token)).toBe(401);
      } finally {
        redis.thaw();
      }
      // Two heartbeats to notice the answers again.
      await sleep(2500);
      expect(await me(b, token)).toBe(401);
      expect(await me(a, token)).toBe(401);
    });
  },
);
