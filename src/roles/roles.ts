import {
  type ClaimScope,
  claimScopesOf,
  isScope,
  type Scope,
} from './scopes.js';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const USER_SCOPES: readonly Scope[] = [
  'account',
  'todos:read',
  'todos:write',
  'posts:write',
];

/** What each role may be granted; a token carries the requested subset of its user's grant. */
export const ROLE_SCOPES: Record<Role, ReadonlySet<Scope>> = {
  user: new Set(USER_SCOPES),
  admin: new Set<Scope>([...USER_SCOPES, 'users:admin']),
};

/**
 * What a machine client's own token (client credentials) may carry: there is no user behind it,
 * so no scope that acts as one; `users:read` lets a service read accounts, and no admin write
 * takes a client's token.
 */
export const CLIENT_SCOPES: ReadonlySet<Scope> = new Set<Scope>(['users:read']);

export function grantedScopes(roles: readonly Role[]): Set<Scope> {
  const granted = new Set<Scope>();
  for (const role of roles) {
    for (const scope of ROLE_SCOPES[role] ?? []) granted.add(scope);
  }
  return granted;
}

/** The scopes in a space-separated string that `granted` still contains. */
export function intersectScopes(
  scope: string,
  granted: ReadonlySet<Scope>,
): Set<Scope> {
  const result = new Set<Scope>();
  for (const item of scope.split(' ')) {
    if (isScope(item) && granted.has(item)) result.add(item);
  }
  return result;
}

const effectiveCache = new Map<string, ReadonlySet<Scope>>();
const EFFECTIVE_CACHE_LIMIT = 1000;

/**
 * The token's scopes that these roles still grant: asked on every authenticated request, with
 * only a handful of distinct answers, so they are computed once each.
 */
export function effectiveScopes(
  scope: string,
  roles: readonly Role[],
): ReadonlySet<Scope> {
  const key = `${roles.join(',')}|${scope}`;
  let scopes = effectiveCache.get(key);
  if (!scopes) {
    scopes = intersectScopes(scope, grantedScopes(roles));
    if (effectiveCache.size >= EFFECTIVE_CACHE_LIMIT) effectiveCache.clear();
    effectiveCache.set(key, scopes);
  }
  return scopes;
}

const clientCache = new Map<string, ReadonlySet<Scope>>();

/** The client scopes of a client token's `scope`, computed once per distinct value (as above). */
export function clientScopesOf(scope: string): ReadonlySet<Scope> {
  let scopes = clientCache.get(scope);
  if (!scopes) {
    scopes = intersectScopes(scope, CLIENT_SCOPES);
    if (clientCache.size >= EFFECTIVE_CACHE_LIMIT) clientCache.clear();
    clientCache.set(scope, scopes);
  }
  return scopes;
}

const claimCache = new Map<string, ReadonlySet<ClaimScope>>();

/** The claim scopes of a token's `scope`, computed once per distinct value (as above). */
export function tokenClaimScopes(scope: string): ReadonlySet<ClaimScope> {
  let scopes = claimCache.get(scope);
  if (!scopes) {
    scopes = new Set(claimScopesOf(scope));
    if (claimCache.size >= EFFECTIVE_CACHE_LIMIT) claimCache.clear();
    claimCache.set(scope, scopes);
  }
  return scopes;
}
