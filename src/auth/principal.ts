import type { User } from '../users/user.entity.js';
import type { Scope } from '../roles/scopes.js';

/** Who a verified access token speaks for: what `JwtAuthGuard` puts on `request.user`. */
export interface Principal {
  user: User;
  sessionId: string;
  tokenId: string;
  /** The token's scopes that the user's current roles still grant. */
  scopes: ReadonlySet<Scope>;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
  /** How the user signed in (`amr`, RFC 8176). */
  amr: readonly string[];
  /** When the user signed in (`auth_time`), in seconds since the epoch. */
  authTime: number;
}

/**
 * Whether the caller may use admin powers: only through a token that carries `users:admin`.
 * `scopes` already holds only what the user's roles still grant, so this needs the admin role
 * *and* the scope; an admin's token narrowed to a user's scopes acts as a user.
 */
export const actsAsAdmin = (principal: Principal): boolean =>
  principal.scopes.has('users:admin');
