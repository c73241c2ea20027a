import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { configWith } from '../../test/support/config.js';
import { RedisConnections } from '../redis/redis.module.js';
import { LoginAttemptsService } from './login-attempts.service.js';

const LIMIT = 3;
const redisUrl = process.env.TEST_REDIS_URL;

async function service(redis: string | undefined) {
  const prefix = `warden-spec-${randomUUID()}:`;
  const config = configWith({
    LOGIN_FAILURE_LIMIT: LIMIT,
    LOGIN_FAILURE_WINDOW: 60,
    REDIS_URL: redis,
    REDIS_KEY_PREFIX: prefix,
  });
  const connections = new RedisConnections(config);
  // Commands fail fast (no offline queue) until the connection is up, and would fall back to
  // memory: wait, so that the Redis variant really counts in Redis.
  if (connections.commands) await once(connections.commands, 'ready');
  return {
    attempts: new LoginAttemptsService(connections, config),
    keysInRedis: async () =>
      connections.commands
        ? (await connections.commands.keys(`${prefix}*`)).length
        : 0,
    close: () => connections.onApplicationShutdown(),
  };
}

const wrong = () => Promise.resolve(false);
const right = () => Promise.resolve(true);

const backends: [string, string | undefined][] = [
  ['in memory', undefined],
  ...(redisUrl ? [['in Redis', redisUrl] as [string, string]] : []),
];

describe.each(backends)('LoginAttemptsService %s', (_, redis) => {
  let subject: Awaited<ReturnType<typeof service>>;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => (subject = await service(redis)));
  afterEach(() => subject.close());

  it(`locks after ${LIMIT} failures, before the password is checked again`, async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect(await subject.attempts.check('user:a', 'ip', wrong)).toEqual({
        locked: false,
        valid: false,
      });
    }
    const verify = vi.fn(right);
    const refused = await subject.attempts.check('user:a', 'ip', verify);
    expect(refused).toEqual({
      locked: true,
      retryAfterSeconds: expect.any(Number),
    });
    expect(verify).not.toHaveBeenCalled();
    expect(refused.locked && refused.retryAfterSeconds).toBeGreaterThan(50);
    expect(await subject.keysInRedis()).toBe(redis ? 1 : 0);
  });

  it('a parallel burst gets exactly the budget of verifications', async () => {
    const verify = vi.fn(
      () =>
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20)),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        subject.attempts.check('user:b', 'ip', verify),
      ),
    );
    expect(verify).toHaveBeenCalledTimes(LIMIT);
    expect(results.filter((result) => result.locked)).toHaveLength(20 - LIMIT);
  });

  it('a success resets the count; accounts do not share budgets', async () => {
    await subject.attempts.check('user:c', 'ip', wrong);
    await subject.attempts.check('user:c', 'ip', wrong);
    await subject.attempts.check('user:c', 'ip', right);
    for (let i = 0; i < LIMIT; i++)
      await subject.attempts.check('user:c', 'ip', wrong);
    expect((await subject.attempts.check('user:c', 'ip', right)).locked).toBe(
      true,
    );
    expect(await subject.attempts.check('user:d', 'ip', right)).toEqual({
      locked: false,
      valid: true,
    });
  });

  it('a check that throws gives its attempt back', async () => {
    const failing = () => Promise.reject(new Error('database down'));
    for (let i = 0; i < LIMIT + 2; i++) {
      await expect(
        subject.attempts.check('user:e', 'ip', failing),
      ).rejects.toThrow('database down');
    }
    expect(await subject.attempts.check('user:e', 'ip', right)).toEqual({
      locked: false,
      valid: true,
    });
  });
});

if (!redisUrl) {
  it.skip('LoginAttemptsService in Redis: SKIPPED, set TEST_REDIS_URL to run it', () => {});
}
