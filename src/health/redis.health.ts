import { withDeadline } from '../common/deadline.js';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections } from '../redis/redis.module.js';

const PING_TIMEOUT_MS = 1000;

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisConnections,
    private readonly health: HealthIndicatorService,
  ) {}

  /** `up` when Redis answers PING in time; only asked when REDIS_URL is set. */
  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const redis = this.redis.commands;
    if (!redis) return indicator.up({ configured: false });
    try {
      await withDeadline(redis.ping(), PING_TIMEOUT_MS, 'timeout');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
