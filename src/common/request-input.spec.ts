import {
  MAX_INPUT_VALUES,
  inputProblemIn,
  nestsDeeperThan,
} from './request-input.js';

describe('nestsDeeperThan', () => {
  const json = (text: string) => Buffer.from(text);

  it('counts arrays and objects alike, up to and past the limit', () => {
    expect(nestsDeeperThan(json('[[[]]]'), 3)).toBe(false);
    expect(nestsDeeperThan(json('[[[[]]]]'), 3)).toBe(true);
    expect(nestsDeeperThan(json('{"a":{"b":[1]}}'), 3)).toBe(false);
    expect(nestsDeeperThan(json('{"a":{"b":[{}]}}'), 3)).toBe(true);
  });

  it('measures depth, not the number of brackets', () => {
    expect(nestsDeeperThan(json(`[${'[],'.repeat(10_000)}[]]`), 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(json(`["${'['.repeat(100)}"]`), 1)).toBe(false);
    expect(nestsDeeperThan(json(`["\\"${'['.repeat(100)}"]`), 1)).toBe(false);
    expect(nestsDeeperThan(json(`["\\\\", [[[]]]]`), 3)).toBe(true);
  });
});

describe('inputProblemIn', () => {
  it('refuses more than MAX_INPUT_VALUES keys and values in all, at the limit accepts', () => {
    const fields = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(inputProblemIn(fields(MAX_INPUT_VALUES / 2))).toBeNull();
    expect(inputProblemIn(fields(MAX_INPUT_VALUES / 2 + 1))).toMatch(
      /at most 256 fields/,
    );
    expect(inputProblemIn({ a: Array(MAX_INPUT_VALUES).fill(1) })).toMatch(
      /at most/,
    );
  });

  it('finds NUL and lone surrogates in values and keys, at any depth', () => {
    expect(inputProblemIn({ a: ['x', { b: 'y\u0000' }] })).toBe(
      'a[1].b must not contain NUL (U+0000)',
    );
    expect(inputProblemIn({ email: 'x\u0000@example.com' })).toBe(
      'email must not contain NUL (U+0000)',
    );
    expect(inputProblemIn({ 'k\u0000': 1 })).toBe(
      'A field name must not contain NUL (U+0000)',
    );
    expect(inputProblemIn(['\ud800'])).toBe(
      '[0] must not contain unpaired UTF-16 surrogates',
    );
    expect(inputProblemIn('a\udc00')).toBe(
      'The input must not contain unpaired UTF-16 surrogates',
    );
    expect(inputProblemIn({ ['k'.repeat(1000)]: '\u0000' })).toBe(
      `${'k'.repeat(40)}… must not contain NUL (U+0000)`,
    );
  });

  it('accepts ordinary text, paired surrogates (emoji) and non-strings', () => {
    expect(inputProblemIn({ a: 'Café 🦊', b: [1, true, null] })).toBeNull();
    expect(inputProblemIn(undefined)).toBeNull();
  });
});
