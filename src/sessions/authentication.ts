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

/** OpenID Connect `acr` values (`acr_values_supported`): a password alone, or more. */
export const ACR_PASSWORD = 'urn:warden:acr:pwd';
export const ACR_MULTI_FACTOR = 'urn:warden:acr:mfa';

/** Sign-in methods that are more than a password: a second factor, or a verified passkey. */
const MULTI_FACTOR_METHODS = new Set<string>(['mfa', 'hwk', 'swk']);

/** The `acr` of a sign-in, from its `amr`. */
export const acrOf = (amr: readonly string[]): string =>
  amr.some((method) => MULTI_FACTOR_METHODS.has(method))
    ? ACR_MULTI_FACTOR
    : ACR_PASSWORD;
