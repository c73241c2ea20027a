import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { RedisOrMemory } from '../redis/redis-or-memory.js';
import {
  FixedWindowThrottlerStorage,
  type ThrottlerStorageRecord,
} from './fixed-window-storage.js';

/**
 * Counts in Redis when there is one (all instances share the counts), in this instance's memory
 * otherwise or while Redis fails (`RedisOrMemory`).
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly local = new FixedWindowThrottlerStorage();
  private readonly counts: RedisOrMemory<ThrottlerStorageRedisService>;

  constructor(
    redis: Redis | null,
    private readonly keyPrefix: string,
  ) {
    this.counts = new RedisOrMemory(
      redis ? new ThrottlerStorageRedisService(redis) : null,
      new Logger('RateLimit'),
      'rate limits',
    );
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.counts.run(
      (shared) =>
        shared.increment(
          `${this.keyPrefix}${key}`,
          ttl,
          limit,
          blockDuration,
          throttlerName,
        ),
      () => this.local.increment(key, ttl, limit, blockDuration, throttlerName),
    );
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
