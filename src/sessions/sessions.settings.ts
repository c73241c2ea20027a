import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import {
  atMost,
  DAY,
  defineSettings,
  DURATION,
  toDuration,
} from '../config/setting-helpers.js';

/** How long a session lives: idle (each refresh token) and in all. docs/configuration.md lists each variable. */
export class SessionsSettings {
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(90 * DAY, 'an idle session should not outlive a season')
  REFRESH_TOKEN_TTL = 14 * DAY;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(365 * DAY, 'every session must end and sign in again within a year')
  SESSION_ABSOLUTE_TTL = 30 * DAY;
}

export const sessionsSettings = defineSettings('sessions', SessionsSettings);
