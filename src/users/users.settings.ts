import { Transform } from 'class-transformer';
import { availableParallelism } from 'node:os';
import { IsBoolean, IsIn, IsInt, Max, Min } from 'class-validator';
import {
  atMost,
  DAY,
  defineSettings,
  DURATION,
  toBoolean,
  toDuration,
  toInteger,
} from '../config/setting-helpers.js';

export const EMAIL_VERIFICATION_MODES = [
  'off',
  'optional',
  'required',
] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

/** Accounts: how passwords are hashed and guarded, and what an address must prove. docs/configuration.md lists each variable. */
export class UsersSettings {
  /**
   * `optional`: signup mails a verification link, and unverified accounts sign in as usual.
   * `required`: they cannot obtain tokens until the link is used. `off`: no verification mail.
   */
  @IsIn(EMAIL_VERIFICATION_MODES)
  EMAIL_VERIFICATION: EmailVerificationMode = 'optional';

  /** `false` switches off password reset by mail (`/auth/password/forgot` answers 404). */
  @Transform(toBoolean)
  @IsBoolean()
  PASSWORD_RESET = true;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  LOGIN_FAILURE_LIMIT = 5;

  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(1)
  @atMost(DAY, 'a longer lock lets anyone shut an account out for days')
  LOGIN_FAILURE_WINDOW = 15 * 60;

  // The argon2 library's own lower bounds; below OWASP's minimum is allowed for tests only and
  // logged as a warning.
  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19456;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  // Hashes in flight at once (each holds ARGON2_MEMORY_KIB and a core); more wait in line.
  // One core is left to the event loop, so logins never starve the other routes.
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
}

export const usersSettings = defineSettings('users', UsersSettings);
