import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { FixedWindowThrottlerStorage } from './fixed-window-storage.js';

type ThrottlerStorageRecord = Awaited<
  ReturnType<ThrottlerStorage['increment']>
>;

/**
 * Counts in Redis when there is one (all instances share the counts), and falls back to this
 * instance's memory when Redis fails: while Redis is down each instance still enforces the
 * limits on its own, so attempts are never unlimited (SECURITY.md RL-10), and requests are not
 * refused for an outage of the counter.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new FixedWindowThrottlerStorage();
  private failing = false;

  constructor(
    private readonly shared: ThrottlerStorage | null,
    private readonly keyPrefix: string,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.shared) {
      try {
        const record = await this.shared.increment(
          `${this.keyPrefix}${key}`,
          ttl,
          limit,
          blockDuration,
          throttlerName,
        );
        if (this.failing)
          this.logger.log('Redis is back: rate limits are shared again');
        this.failing = false;
        return record;
      } catch (error) {
        if (!this.failing) {
          this.logger.error(
            `Redis failed (${(error as Error).message}): rate limits fall back to this instance's memory`,
          );
        }
        this.failing = true;
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
