import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { configWith } from '../../test/support/config.js';
import {
  openSpecDatabase,
  specDatabaseKinds,
} from '../../test/support/database.js';
import { ownRedis, type OwnService } from '../../test/support/own-services.js';
import { until } from '../../test/support/until.js';
import { RedisConnections } from '../redis/redis.module.js';
import { ReplayGuard } from './replay-guard.service.js';
import { UsedJti } from './used-jti.entity.js';

const inAMinute = () => new Date(Date.now() + 60_000);
// The Redis cases start a redis-server of their own; like every Redis suite they run when
// TEST_REDIS_URL says Redis is there (test/support/global-setup.ts says when they are skipped).
const withRedis = Boolean(process.env.TEST_REDIS_URL);

/**
 * Single use across instances, on a real database and a Redis of the spec's own (so that it can
 * be frozen and stopped): two guards stand for two instances.
 */
describe.each(specDatabaseKinds())('ReplayGuard on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let redis: OwnService | undefined;
  const connections: RedisConnections[] = [];

  const guard = (redisUrl?: string) => {
    const config = configWith({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `replay-${randomUUID()}:`,
    });
    const redisConnections = new RedisConnections(config);
    connections.push(redisConnections);
    return new ReplayGuard(
      dataSource.getRepository(UsedJti),
      redisConnections,
      config,
    );
  };
  const storedRows = () => dataSource.getRepository(UsedJti).count();
  /** Until then, commands fail at once (no offline queue) and the database stands in. */
  const connected = () =>
    until(
      () =>
        connections.every(
          (connection) =>
            connection.commands === null ||
            connection.commands.status === 'ready',
        ),
      Boolean,
      { what: 'Redis connections ready' },
    );

  beforeAll(async () => {
    ({ dataSource, close } = await openSpecDatabase(kind));
    if (withRedis) redis = await ownRedis();
  });
  afterAll(async () => {
    for (const connection of connections)
      await connection.onApplicationShutdown();
    await redis?.stop();
    await close();
  });

  it('without Redis: the database lets exactly one use through, also of a parallel burst', async () => {
    const [a, b] = [guard(), guard()];
    const id = randomUUID();
    expect(await a.firstUse('dpop', id, inAMinute())).toBe(true);
    expect(await b.firstUse('dpop', id, inAMinute())).toBe(false);
    // Another kind of use is another namespace.
    expect(await b.firstUse('client-assertion', id, inAMinute())).toBe(true);
    const burst = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).firstUse('dpop', burst, inAMinute()),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it.skipIf(!withRedis)(
    'with Redis: two instances share it, and the database is not written',
    async () => {
      if (!redis) throw new Error('no Redis');
      const { url } = redis;
      // The key prefix is the instances' shared namespace (REDIS_KEY_PREFIX).
      const prefix = `replay-shared-${randomUUID()}:`;
      const shared = () => {
        const config = configWith({
          REDIS_URL: url,
          REDIS_KEY_PREFIX: prefix,
        });
        const redisConnections = new RedisConnections(config);
        connections.push(redisConnections);
        return new ReplayGuard(
          dataSource.getRepository(UsedJti),
          redisConnections,
          config,
        );
      };
      const [a, b] = [shared(), shared()];
      await connected();
      const before = await storedRows();
      const id = randomUUID();
      expect(await a.firstUse('dpop', id, inAMinute())).toBe(true);
      expect(await b.firstUse('dpop', id, inAMinute())).toBe(false);
      const burst = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).firstUse('dpop', burst, inAMinute()),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storedRows()).toBe(before);
    },
  );

  it.skipIf(!withRedis)(
    'with Redis frozen, then stopped: the database takes over, within the Redis deadline',
    async () => {
      if (!redis) throw new Error('no Redis');
      const a = guard(redis.url);
      await connected();
      await a.firstUse('dpop', randomUUID(), inAMinute());
      redis.freeze();
      try {
        const id = randomUUID();
        const started = Date.now();
        expect(await a.firstUse('dpop', id, inAMinute())).toBe(true);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(await a.firstUse('dpop', id, inAMinute())).toBe(false);
      } finally {
        redis.thaw();
      }
      await redis.stop();
      try {
        const id = randomUUID();
        expect(await a.firstUse('client-assertion', id, inAMinute())).toBe(
          true,
        );
        expect(await a.firstUse('client-assertion', id, inAMinute())).toBe(
          false,
        );
      } finally {
        await redis.start();
      }
    },
  );
});
