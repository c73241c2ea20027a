import {
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { Settings } from '../config/settings.js';

/** Deadlines for Redis (docs/production.md, "Deadlines"): a command on a healthy Redis takes well under 1 ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
const REDIS_CONNECT_TIMEOUT_MS = 2000;

/**
 * The Redis connections of this instance, or none when `REDIS_URL` is unset (a single
 * instance keeps its shared state in memory). `commands` runs commands; `subscriber` is in
 * subscribe mode and can do nothing else, as Redis requires.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly commands: Redis | null;
  readonly subscriber: Redis | null;

  constructor(config: ConfigService<Settings, true>) {
    const url = config.get('redis.REDIS_URL', { infer: true });
    this.commands = url ? this.connect(url, 'commands') : null;
    this.subscriber = url ? this.connect(url, 'subscriber') : null;
  }

  private connect(url: string, role: string): Redis {
    const redis = new Redis(url, {
      // Commands fail fast while Redis is down instead of queueing without bound; callers
      // decide how to degrade.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: role === 'subscriber',
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      // A Redis that is frozen (not down: the connection stays open, nothing answers) would
      // otherwise hold every command, and every request waiting on one, forever. Callers fall
      // back to this instance's memory when a command fails.
      ...(role === 'commands'
        ? { commandTimeout: REDIS_COMMAND_TIMEOUT_MS }
        : {}),
    });
    redis.on('error', (error: Error) =>
      this.logger.warn(`${role}: ${error.message}`),
    );
    return redis;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const redis of [this.commands, this.subscriber]) {
      if (!redis) continue;
      await redis.quit().catch(() => redis.disconnect());
    }
  }
}

@Global()
@Module({ providers: [RedisConnections], exports: [RedisConnections] })
export class RedisModule {}
