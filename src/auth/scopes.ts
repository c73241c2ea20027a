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
