import { grantedScopes } from './roles.js';
import { grantableScopes, resolveScopes, type Scope } from './scopes.js';

const user = grantedScopes(['user']);
const admin = grantedScopes(['admin']);

describe('resolveScopes (refresh grant: never more than originally granted)', () => {
  it('keeps everything available when no scope is asked for', () => {
    expect(resolveScopes(user, undefined)?.sort()).toEqual([...user].sort());
  });

  it('narrows to the requested scopes, once each, in the order asked', () => {
    expect(resolveScopes(user, 'todos:read  account todos:read')).toEqual([
      'todos:read',
      'account',
    ]);
  });

  it('reads the old name profile as account, for one release', () => {
    expect(resolveScopes(user, 'profile todos:read account')).toEqual([
      'account',
      'todos:read',
    ]);
  });

  it.each([
    ['a scope the session never had', 'users:admin'],
    ['an unknown name', 'todos:read email'],
    ['an empty list', ' '],
    ['a prototype key', 'constructor'],
  ])('refuses %s', (_, requested) => {
    expect(resolveScopes(user, requested)).toBeNull();
  });
});

describe('grantableScopes (password grant: may grant less than asked)', () => {
  it('grants what is available of what is asked, and drops the rest', () => {
    expect(grantableScopes(user, 'account users:admin')).toEqual(['account']);
  });

  it('reads the old name profile as account, for one release', () => {
    expect(grantableScopes(user, 'profile todos:read')).toEqual([
      'account',
      'todos:read',
    ]);
  });

  it('grants everything available when nothing is asked for', () => {
    expect(grantableScopes(admin, undefined)).toContain('users:admin');
  });

  it.each([
    ['a name that is no scope at all', 'account email'],
    ['nothing grantable', 'users:admin'],
    ['an empty list', '   '],
  ])('refuses %s', (_, requested) => {
    expect(grantableScopes(user, requested)).toBeNull();
  });
});

describe('grantedScopes', () => {
  it('gives a user no admin scope and an admin every scope', () => {
    expect(user.has('users:admin')).toBe(false);
    const all: Scope[] = [
      'account',
      'todos:read',
      'todos:write',
      'posts:write',
      'users:admin',
    ];
    expect([...admin].sort()).toEqual(all.sort());
  });
});
