import { effectiveScopes, intersectScopes } from './roles.js';

describe('effectiveScopes (what a token may still do)', () => {
  it("drops the scopes the user's roles no longer grant", () => {
    const scopes = effectiveScopes('profile users:admin', ['user']);
    expect([...scopes]).toEqual(['profile']);
  });

  it('keeps an admin token narrowed to user scopes narrow', () => {
    expect(effectiveScopes('todos:read', ['admin']).has('users:admin')).toBe(
      false,
    );
  });

  it('ignores unknown and empty names', () => {
    expect([
      ...intersectScopes(' profile  bogus ', new Set(['profile'])),
    ]).toEqual(['profile']);
  });

  it('answers the same question with the same set (computed once)', () => {
    expect(effectiveScopes('profile', ['user'])).toBe(
      effectiveScopes('profile', ['user']),
    );
  });
});
