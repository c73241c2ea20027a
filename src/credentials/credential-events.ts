/**
 * What each credential event ends: the one table that decides it (docs/security.md shows it, and
 * `test/credential-events.e2e-spec.ts` checks every cell against what the running server does).
 * When a credential changes, whatever was derived from the old one, or was begun under it, must
 * not outlive the change; what stays, stays on purpose (the reason is in docs/security.md).
 */

/** Everything a credential event can end. */
export const CREDENTIAL_TARGETS = [
  /** The session the change was made from. */
  'current-session',
  /** Every other session of the user. */
  'other-sessions',
  /** Password logins waiting for their second factor (`mfa_token`s). */
  'mfa-tokens',
  /** Passkey registrations under way (their WebAuthn challenges). */
  'webauthn-challenges',
  'email-verification-links',
  'password-reset-links',
  'email-change-links',
  /** The "this was not me" links of sign-in-method notices. */
  'sign-in-method-removal-links',
  /** Passkeys, TOTP and recovery codes (`SignInMethods`). */
  'sign-in-methods',
] as const;
export type CredentialTarget = (typeof CREDENTIAL_TARGETS)[number];

/**
 * `ends`: every one of them. `its-own`: only those made with the credential the event is about
 * (the sessions signed in with a removed passkey, the removal links of a removed method).
 * `stays`: nothing of them ends. `none`: there is nothing of the kind to end (the event happens
 * outside any session of the user, such as a link opened from a mail).
 */
export type Effect = 'ends' | 'its-own' | 'stays' | 'none';

export type EventEffects = Readonly<Record<CredentialTarget, Effect>>;

const row = (
  current: Effect,
  others: Effect,
  mfaTokens: Effect,
  challenges: Effect,
  verificationLinks: Effect,
  resetLinks: Effect,
  emailChangeLinks: Effect,
  removalLinks: Effect,
  signInMethods: Effect,
): EventEffects => ({
  'current-session': current,
  'other-sessions': others,
  'mfa-tokens': mfaTokens,
  'webauthn-challenges': challenges,
  'email-verification-links': verificationLinks,
  'password-reset-links': resetLinks,
  'email-change-links': emailChangeLinks,
  'sign-in-method-removal-links': removalLinks,
  'sign-in-methods': signInMethods,
});

/* prettier-ignore */
export const CREDENTIAL_EVENTS = {
  //                                    current    others     mfa        challenges verify   reset    change   removal    methods
  'password-changed':             row('stays',   'ends',    'ends',    'ends',    'ends',  'ends',  'ends',  'stays',   'stays'),
  'password-reset':               row('none',    'ends',    'ends',    'ends',    'ends',  'ends',  'ends',  'stays',   'stays'),
  'password-reset-first-proof':   row('none',    'ends',    'ends',    'ends',    'ends',  'ends',  'ends',  'ends',    'ends'),
  'email-verified':               row('none',    'stays',   'stays',   'stays',   'stays', 'stays', 'stays', 'stays',   'stays'),
  'email-change-confirmed':       row('stays',   'stays',   'stays',   'stays',   'ends',  'ends',  'ends',  'stays',   'stays'),
  'totp-turned-off':              row('stays',   'stays',   'ends',    'stays',   'stays', 'stays', 'stays', 'its-own', 'its-own'),
  'passkey-removed':              row('its-own', 'its-own', 'stays',   'stays',   'stays', 'stays', 'stays', 'its-own', 'its-own'),
  'recovery-codes-replaced':      row('stays',   'stays',   'stays',   'stays',   'stays', 'stays', 'stays', 'its-own', 'its-own'),
  'removed-by-owner-link':        row('none',    'ends',    'ends',    'ends',    'stays', 'stays', 'ends',  'its-own', 'its-own'),
  'account-disabled':             row('none',    'ends',    'ends',    'ends',    'ends',  'ends',  'ends',  'ends',    'stays'),
  'account-deleted':              row('ends',    'ends',    'ends',    'ends',    'ends',  'ends',  'ends',  'ends',    'ends'),
  'roles-changed-by-admin':       row('none',    'stays',   'stays',   'stays',   'stays', 'stays', 'stays', 'stays',   'stays'),
  'second-factor-reset-by-admin': row('none',    'ends',    'ends',    'stays',   'stays', 'stays', 'stays', 'its-own', 'its-own'),
  'sessions-ended-by-admin':      row('none',    'ends',    'ends',    'ends',    'stays', 'stays', 'stays', 'stays',   'stays'),
} as const satisfies Record<string, EventEffects>;

export type CredentialEvent = keyof typeof CREDENTIAL_EVENTS;

/** The kinds of sign-in method that `SignInMethods` keeps a registry of. */
export const SIGN_IN_METHOD_KINDS = [
  'passkey',
  'totp',
  'recovery-codes',
] as const;
export type SignInMethodKind = (typeof SIGN_IN_METHOD_KINDS)[number];

/** One sign-in method of a user: a passkey (its id), or TOTP or the recovery codes (no id). */
export interface SignInMethodRef {
  kind: SignInMethodKind;
  id: string | null;
}

/** Whom and what an event is about. */
export interface CredentialSubject {
  userId: string;
  /** The session the change was made from, when it was made from one. */
  sessionId?: string | null;
  /** The sign-in method the event is about (`its-own` cells). */
  method?: SignInMethodRef;
}
