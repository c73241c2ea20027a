import { identifierProblem, normalizeIdentifier } from './identifiers.js';

describe('normalizeIdentifier', () => {
  it('folds compatibility forms and case, and is idempotent', () => {
    expect(normalizeIdentifier('ＪＡＮＥ＠Example.COM')).toBe(
      'jane@example.com',
    );
    const once = normalizeIdentifier('ǅemal@ℯxample.com');
    expect(normalizeIdentifier(once)).toBe(once);
  });
});

describe('identifierProblem', () => {
  it.each([
    ['jane@example.com'],
    ['иван@пример.рф'],
    ['山田taro@example.jp'],
    ['josé.álvarez@example.es'],
  ])('accepts %s', (identifier) => {
    expect(identifierProblem(identifier)).toBeNull();
  });

  it.each([
    ['ja\u200bne@example.com', /invisible/],
    ['ja\u00adne@example.com', /invisible/],
    ['jane\u202e@example.com', /bidi/],
    ['jane\u0007@example.com', /control/],
    ['j\u0430ne@example.com', /scripts/],
    ['jane@exampl\u03bf.com', /scripts/],
  ])('refuses %s', (identifier, reason) => {
    expect(identifierProblem(identifier)).toMatch(reason);
  });
});
