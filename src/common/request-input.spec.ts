import { nestsDeeperThan, unstorableTextIn } from './request-input.js';

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

describe('unstorableTextIn', () => {
  it('finds NUL and lone surrogates in values and keys, at any depth', () => {
    expect(unstorableTextIn({ a: ['x', { b: 'y\u0000' }] })).toMatch(/NUL/);
    expect(unstorableTextIn({ 'k\u0000': 1 })).toMatch(/NUL/);
    expect(unstorableTextIn(['\ud800'])).toMatch(/surrogates/);
    expect(unstorableTextIn('a\udc00')).toMatch(/surrogates/);
  });

  it('accepts ordinary text, paired surrogates (emoji) and non-strings', () => {
    expect(unstorableTextIn({ a: 'Café 🦊', b: [1, true, null] })).toBeNull();
    expect(unstorableTextIn(undefined)).toBeNull();
  });
});
