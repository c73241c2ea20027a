import { IsOptional, IsString, Matches } from 'class-validator';
import { defineSettings } from '../config/setting-helpers.js';

/** Redis, for the state that several instances share (without it, each keeps its own in memory). docs/configuration.md lists each variable. */
export class RedisSettings {
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, {
    message: '$property must be a redis:// or rediss:// URL',
  })
  REDIS_URL?: string;

  /** Namespaces this deployment's keys and channel in a Redis that others share. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, {
    message:
      '$property must be 1-64 characters of letters, digits, ":", "_", "." and "-"',
  })
  REDIS_KEY_PREFIX = 'warden:';
}

export const redisSettings = defineSettings('redis', RedisSettings);
