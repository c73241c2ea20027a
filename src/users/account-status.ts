import type { User } from './user.entity.js';

/** Whether an account may sign in and use its tokens (email verification will add `unverified`). */
export type AccountStatus = 'active' | 'missing' | 'disabled';

/**
 * The one rule for it: password login, the refresh grant and every bearer-authenticated
 * request ask here, so an account that may not sign in can neither get nor use a token.
 */
export function accountStatus(user: User | null | undefined): AccountStatus {
  if (!user) return 'missing';
  return user.disabled ? 'disabled' : 'active';
}

export const isActiveAccount = (user: User | null | undefined): user is User =>
  accountStatus(user) === 'active';
