import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Settings } from '../config/settings.js';
import { RedisConnections } from '../redis/redis.module.js';
import { AUTH_RATE_LIMITED } from './auth-rate-limit.decorator.js';
import { ResilientThrottlerStorage } from './resilient-throttler-storage.js';

const MINUTE_MS = 60_000;

/**
 * Per-IP limits (docs/security.md, "Rate limits and brute force"): `RATE_LIMIT` requests a minute on every route, and the stricter
 * `AUTH_RATE_LIMIT` on the routes marked `@AuthRateLimited()`. `0` switches a limit off.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, RedisConnections, Reflector],
      useFactory: (
        config: ConfigService<Settings, true>,
        redis: RedisConnections,
        reflector: Reflector,
      ) => {
        const rateLimit = config.get('rateLimit.RATE_LIMIT', { infer: true });
        const authRateLimit = config.get('rateLimit.AUTH_RATE_LIMIT', {
          infer: true,
        });
        return {
          throttlers: [
            {
              name: 'default',
              ttl: MINUTE_MS,
              limit: rateLimit,
              skipIf: () => rateLimit === 0,
            },
            {
              name: 'auth',
              ttl: MINUTE_MS,
              limit: authRateLimit,
              skipIf: (context) =>
                authRateLimit === 0 ||
                reflector.get<boolean>(
                  AUTH_RATE_LIMITED,
                  context.getHandler(),
                ) !== true,
            },
          ],
          storage: new ResilientThrottlerStorage(
            redis.commands,
            config.get('redis.REDIS_KEY_PREFIX', { infer: true }),
          ),
          setHeaders: false,
        };
      },
    }),
  ],
})
export class RateLimitModule {}
