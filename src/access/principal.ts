import type { ClaimScope, Scope } from '../roles/scopes.js';

/** What every verified access token says, whoever it speaks for. */
interface TokenFacts {
  tokenId: string;
  /** The token's scopes that its holder may still use (a user's current roles grant them). */
  scopes: ReadonlySet<Scope>;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
}

/** A person, signed in: what `JwtAuthGuard` puts on `request.user` for a user's token. */
export interface UserPrincipal extends TokenFacts {
  kind: 'user';
  userId: string;
  sessionId: string;
  /** How the user signed in (`amr`, RFC 8176). */
  amr: readonly string[];
  /** When the user signed in (`auth_time`), in seconds since the epoch. */
  authTime: number;
  /** The registered client the token was issued to (`client_id`); null for the password grant. */
  clientId: string | null;
  /** OpenID's claim scopes the token carries (`/userinfo` answers by them). */
  claimScopes: ReadonlySet<ClaimScope>;
}

/** A machine client acting for itself (the client credentials grant, still to come). */
export interface ClientPrincipal extends TokenFacts {
  kind: 'client';
  clientId: string;
}

/**
 * Who a verified access token speaks for. It names its user by id only: a route that needs the
 * account itself asks for it with `@CurrentAccount()` (users/), so this folder, which every
 * feature imports, imports no feature.
 */
export type Principal = UserPrincipal | ClientPrincipal;

/**
 * Whether the caller may use admin powers: only through a token that carries `users:admin`.
 * `scopes` already holds only what the user's roles still grant, so this needs the admin role
 * *and* the scope; an admin's token narrowed to a user's scopes acts as a user.
 */
export const actsAsAdmin = (principal: Principal): boolean =>
  principal.scopes.has('users:admin');
