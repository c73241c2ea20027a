import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { defineSettings, toInteger } from '../config/setting-helpers.js';

/** Requests a client may make per minute (0: no limit). docs/configuration.md lists each variable. */
export class RateLimitSettings {
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  RATE_LIMIT = 300;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  AUTH_RATE_LIMIT = 10;
}

export const rateLimitSettings = defineSettings('rateLimit', RateLimitSettings);
