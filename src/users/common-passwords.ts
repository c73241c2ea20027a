import { dictionary } from '@zxcvbn-ts/language-common';

/** zxcvbn-ts's list of common passwords (about 49,000 entries), lower-cased. */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  dictionary['passwords-common'].map((password) => password.toLowerCase()),
);

// Runs that people type instead of choosing: digits, the alphabet, keyboard rows.
const SEQUENCES = [
  '012345678901234567890123456789',
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
];

/**
 * True for a password on the list, one that is a listed password with digits or symbols
 * around it (`password1234567`), a stretch of a well-known sequence (`123456789012345`,
 * `qwertyuiopasdfgh`, also reversed), or a single repeated character.
 */
export function isCommonPassword(password: string): boolean {
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return true;
  const core = lowered.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
  if (core.length >= 4 && COMMON_PASSWORDS.has(core)) return true;
  const reversed = [...lowered].reverse().join('');
  if (SEQUENCES.some((run) => run.includes(lowered) || run.includes(reversed)))
    return true;
  return new Set(lowered).size === 1;
}
