/** Every scope a token can carry, with the description Swagger's Authorize dialog shows. */
export const SCOPE_DESCRIPTIONS = {
  profile: 'Read and edit your own profile, password and sessions',
  'todos:read': 'Read your todos',
  'todos:write': 'Create, edit and delete your todos',
  'posts:write': 'Write, edit and delete your blog posts',
  'users:admin': 'Manage every user account (admins only)',
} as const;

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;
export const ALL_SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const USER_SCOPES: Scope[] = [
  'profile',
  'todos:read',
  'todos:write',
  'posts:write',
];

/** What each role may be granted; a token carries the requested subset of its user's grant. */
export const ROLE_SCOPES: Record<Role, ReadonlySet<Scope>> = {
  user: new Set(USER_SCOPES),
  admin: new Set<Scope>([...USER_SCOPES, 'users:admin']),
};

export function grantedScopes(roles: readonly Role[]): Set<Scope> {
  const granted = new Set<Scope>();
  for (const role of roles) {
    for (const scope of ROLE_SCOPES[role] ?? []) granted.add(scope);
  }
  return granted;
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, value);
}

/** The distinct names in a `scope` parameter (RFC 6749 §3.3: space-delimited). */
const scopeNames = (scope: string): string[] => [
  ...new Set(scope.split(' ').filter(Boolean)),
];

/**
 * The refresh grant's rule (RFC 6749 §6: the request MUST NOT include a scope not originally
 * granted): no `scope` means everything `available`; otherwise every requested scope must be
 * available, or null (the caller answers `invalid_scope`).
 */
export function resolveScopes(
  available: ReadonlySet<Scope>,
  requested: string | undefined,
): Scope[] | null {
  if (requested === undefined) return [...available];
  const scopes = scopeNames(requested);
  if (scopes.length === 0) return null;
  return scopes.every((scope) => isScope(scope) && available.has(scope))
    ? (scopes as Scope[])
    : null;
}

/**
 * The password grant's rule (RFC 6749 §3.3 lets a server grant fewer scopes than asked, and the
 * `scope` response says which): of the requested scopes, those `available` to the user; all of
 * them when none is asked for. A name that is not a scope at all, or a request of which nothing
 * can be granted, is null (`invalid_scope`). So Swagger's "select all" signs a user in with the
 * user's scopes.
 */
export function grantableScopes(
  available: ReadonlySet<Scope>,
  requested: string | undefined,
): Scope[] | null {
  if (requested === undefined) return [...available];
  const names = scopeNames(requested);
  if (!names.every(isScope)) return null;
  const granted = names.filter((scope) => available.has(scope));
  return granted.length > 0 ? granted : null;
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
