import { isCommonPassword } from './common-passwords.js';

describe('isCommonPassword', () => {
  it.each([
    'password',
    'Password',
    '12345678',
    'iloveyou',
    'trustno1',
    'password1234567',
    '123456789012345',
    'qwertyuiopasdfgh',
    'hgfdsapoiuytrewq',
    'abcdefghijkl',
    '!!password!!',
    'aaaaaaaaaa',
    '9876543210',
  ])('flags %j', (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it.each([
    'correct horse battery staple',
    'correct horse battery staple x',
    'Tr0ub4dor&3-but-longer',
    '🦊🐻🐼🐨🐯🦁🐮🐷',
    'a brand new passphrase',
  ])('accepts %j', (password) => {
    expect(isCommonPassword(password)).toBe(false);
  });
});
