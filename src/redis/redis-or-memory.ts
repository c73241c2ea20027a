import type { Logger } from '@nestjs/common';

/**
 * Shared state in Redis when there is one, this instance's memory when there is none or while
 * Redis fails: limits are then enforced per instance (never unlimited, docs/security-tests.md, RL-10), and
 * requests are not refused for an outage of a counter. The switch is logged once each way.
 */
export class RedisOrMemory<Shared> {
  private failing = false;

  constructor(
    /** The Redis connection, or what talks to it; null without REDIS_URL. */
    private readonly shared: Shared | null,
    private readonly logger: Logger,
    /** What falls back, for the log: "rate limits", "login counters". */
    private readonly what: string,
  ) {}

  async run<T>(
    inRedis: (shared: Shared) => Promise<T>,
    inMemory: () => T | Promise<T>,
  ): Promise<T> {
    if (this.shared) {
      try {
        const result = await inRedis(this.shared);
        if (this.failing)
          this.logger.log(`Redis is back: ${this.what} are shared again`);
        this.failing = false;
        return result;
      } catch (error) {
        if (!this.failing) {
          this.logger.error(
            `Redis failed (${(error as Error).message}): ${this.what} fall back to this instance's memory`,
          );
        }
        this.failing = true;
      }
    }
    return inMemory();
  }
}
