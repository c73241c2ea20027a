import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { defineSettings, toBoolean } from '../config/setting-helpers.js';

/** AES-256-GCM: the key is 32 bytes, given as base64 (44 characters) or hex (64). */
const MFA_KEY_PATTERN =
  /^(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43}|[0-9a-fA-F]{64})$/;
const MFA_KEY_MESSAGE =
  '$property must be 32 random bytes as base64 or hex (generate one with: openssl rand -base64 32)';

/** Second factors: whether TOTP is offered, and the key its secrets are sealed with. docs/configuration.md lists each variable. */
export class MfaSettings {
  /** `false` withdraws TOTP: no enrolment, and logins no longer ask enrolled users for a code. */
  @Transform(toBoolean)
  @IsBoolean()
  MFA_TOTP = true;

  /**
   * Encrypts TOTP secrets at rest (AES-256-GCM). Required in production while MFA_TOTP is on;
   * in development a random key is kept in data/mfa-key (git-ignored). To change it, move the
   * old one to MFA_PREVIOUS_ENCRYPTION_KEY; changed without that, every enrolled authenticator
   * stops working (users then sign in with a recovery code).
   */
  @IsOptional()
  @Matches(MFA_KEY_PATTERN, { message: MFA_KEY_MESSAGE })
  MFA_ENCRYPTION_KEY?: string;

  /**
   * The key being rotated out: secrets sealed with it still open, and are re-sealed with
   * MFA_ENCRYPTION_KEY after start-up (the log says when none is left and it can go).
   */
  @IsOptional()
  @Matches(MFA_KEY_PATTERN, { message: MFA_KEY_MESSAGE })
  MFA_PREVIOUS_ENCRYPTION_KEY?: string;
}

export const mfaSettings = defineSettings('mfa', MfaSettings);
