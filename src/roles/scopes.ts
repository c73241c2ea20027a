/** Every scope a token can carry, with the description Swagger's Authorize dialog shows. */
export const SCOPE_DESCRIPTIONS = {
  account:
    'Read and edit your own account: profile, email, password, sessions, second factors and passkeys',
  'todos:read': 'Read your todos',
  'todos:write': 'Create, edit and delete your todos',
  'posts:write': 'Write, edit and delete your blog posts',
  'users:admin': 'Manage every user account (admins only)',
  'users:read':
    "List and read user accounts: a machine client's own token (client credentials), read-only",
} as const;

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;

/**
 * OpenID Connect's scopes (Core §3.1.2.1, §5.4): they ask for an ID token and claims about the
 * user, and grant no access to the API. A registered client may be allowed them beside API scopes.
 */
export const CLAIM_SCOPES = ['openid', 'profile', 'email'] as const;
export type ClaimScope = (typeof CLAIM_SCOPES)[number];

/** What each claim scope lets a client know, as the consent page and Swagger UI say it. */
export const CLAIM_SCOPE_DESCRIPTIONS: Record<ClaimScope, string> = {
  openid: 'Know who you are on this site (your account id)',
  profile: 'See your username',
  email: 'See your email address and whether it is verified',
};

/** The claim scopes in a space-separated scope string. */
export const claimScopesOf = (scope: string): ClaimScope[] =>
  scope
    .split(' ')
    .filter((name): name is ClaimScope =>
      (CLAIM_SCOPES as readonly string[]).includes(name),
    );

export const ALL_SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPE_DESCRIPTIONS, value);
}

/**
 * Scopes a request may still name by their old name, for one release (docs/upgrading.md):
 * `profile` became `account`, so that OpenID's claim scope of that name can never change a
 * password. Only what a client asks for is translated; every token carries the new name.
 */
const RENAMED_SCOPES = new Map<string, Scope>([['profile', 'account']]);

/** The distinct names in a `scope` parameter (RFC 6749 §3.3: space-delimited), renamed ones new. */
const scopeNames = (scope: string): string[] => [
  ...new Set(
    scope
      .split(' ')
      .filter(Boolean)
      .map((name) => RENAMED_SCOPES.get(name) ?? name),
  ),
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
