import type { User } from './user.entity.js';

/** Whether an account may sign in and use its tokens. */
export type AccountStatus = 'active' | 'missing' | 'disabled' | 'unverified';

/**
 * The one rule for it: password login, the refresh grant and every bearer-authenticated
 * request ask here, so an account that may not sign in can neither get nor use a token.
 * `requireVerifiedEmail` is EMAIL_VERIFICATION=required.
 */
export function accountStatus(
  user: User | null | undefined,
  requireVerifiedEmail: boolean,
): AccountStatus {
  if (!user) return 'missing';
  if (user.disabled) return 'disabled';
  return requireVerifiedEmail && user.emailVerifiedAt === null
    ? 'unverified'
    : 'active';
}

export const isActiveAccount = (
  user: User | null | undefined,
  requireVerifiedEmail: boolean,
): user is User => accountStatus(user, requireVerifiedEmail) === 'active';

/** EMAIL_VERIFICATION, read from the configuration, as the flag above. */
export const requiresVerifiedEmail = (config: {
  get(key: 'users.EMAIL_VERIFICATION', options: { infer: true }): string;
}): boolean =>
  config.get('users.EMAIL_VERIFICATION', { infer: true }) === 'required';
