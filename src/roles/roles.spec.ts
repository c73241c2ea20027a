import { effectiveScopes, intersectScopes } from './roles.js';

describe('effectiveScopes (what a token may still do)', () => {
  it("drops the scopes the user's roles no longer grant", () => {
    const scopes = effectiveScopes('account users:admin', ['user']);
    expect([...scopes]).toEqual(['account']);
  });

  it('gives a token that says profile (issued before the rename) no account rights', () => {
    expect([...effectiveScopes('profile todos:read', ['user'])]).toEqual([
      'todos:read',
    ]);
  });

  it('keeps an admin token narrowed to user scopes narrow', () => {
    expect(effectiveScopes('todos:read', ['admin']).has('users:admin')).toBe(
      false,
    );
  });

  it('ignores unknown and empty names', () => {
    expect([
      ...intersectScopes(' account  bogus ', new Set(['account'])),
    ]).toEqual(['account']);
  });

  it('answers the same question with the same set (computed once)', () => {
    expect(effectiveScopes('account', ['user'])).toBe(
      effectiveScopes('account', ['user']),
    );
  });
});
