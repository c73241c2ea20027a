/**
 * RFC 8176 authentication method references that Warden puts in `amr`: a password, a one-time
 * code (TOTP or a recovery code), more than one factor, and a passkey (hardware- or
 * software-protected key).
 */
export type AuthMethod = 'pwd' | 'otp' | 'mfa' | 'hwk' | 'swk';

/** A sign-in with a password alone (and what tokens from before `amr` existed meant). */
export const PASSWORD_SIGN_IN: readonly AuthMethod[] = ['pwd'];

/** How and when a user signed in; a session keeps it for its lifetime, refreshes included. */
export interface Authentication {
  amr: readonly AuthMethod[];
  time: Date;
  /** The passkey used, for a passkey sign-in. */
  passkeyId?: string;
}
