import { BIDI_CONTROL } from '../common/text-fields.js';

/**
 * Emails and usernames name accounts, so two that look the same must be the same account, and
 * one that only looks like another must be refused (UTS #39, "highly restrictive" profile).
 */

/**
 * The form identifiers are stored and compared in: NFKC (fullwidth `ｊ` is `j`, the `ﬁ` ligature
 * is `fi`), then lower case. Applying it twice changes nothing.
 */
export function normalizeIdentifier(identifier: string): string {
  return identifier.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/**
 * The mailbox an address delivers to, for counting the mail sent to it: its stored form without
 * a `+tag` (`victim+1@example.com` is `victim@example.com`). No provider's own rules (such as
 * ignored dots) are guessed at.
 */
export function mailboxOf(address: string): string {
  const normalized = normalizeIdentifier(address);
  const at = normalized.lastIndexOf('@');
  if (at < 0) return normalized;
  return `${normalized.slice(0, at).replace(/\+.*$/, '')}${normalized.slice(at)}`;
}

// Zero-width characters, soft hyphens, variation selectors and the like: invisible when shown.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const CONTROL = /\p{Cc}/u;

/** The scripts of the world's letters that identifiers are checked against, by Unicode name. */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));
const ASCII = /^[\x20-\x7e]*$/;
/** Emails are at most 254 characters (RFC 5321); the DTOs refuse longer ones. */
const MAX_IDENTIFIER_LENGTH = 254;
const COMMON_OR_INHERITED = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** UTS #39 §5.2: the script mixes a "highly restrictive" identifier may use. */
const ALLOWED_MIXES = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of text) {
    if (COMMON_OR_INHERITED.test(char)) continue;
    scripts.add(
      SCRIPTS.find(({ pattern }) => pattern.test(char))?.name ?? 'Other',
    );
  }
  return scripts;
}

function mixesScripts(part: string): boolean {
  if (ASCII.test(part)) return false;
  const scripts = scriptsOf(part);
  return (
    scripts.size > 1 &&
    !ALLOWED_MIXES.some((mix) => [...scripts].every((name) => mix.has(name)))
  );
}

/**
 * Why an identifier (normalised or not) may not name an account, or null: invisible, control or
 * bidi characters anywhere, or letters of several scripts in one part (`pаypal` with a Cyrillic
 * `а`). Parts are separated by `@` and `.`, so `имя@example.com` is fine.
 */
export function identifierProblem(identifier: string): string | null {
  // Length is the field's own rule; past it, skip the per-character work an attacker would buy.
  if (identifier.length > MAX_IDENTIFIER_LENGTH) return null;
  // Bidi controls are invisible too; they get the more specific message.
  if (CONTROL.test(identifier) || BIDI_CONTROL.test(identifier)) {
    return 'must not contain control or bidi characters';
  }
  if (INVISIBLE.test(identifier)) {
    return 'must not contain invisible characters';
  }
  if (identifier.split(/[@.]/).some(mixesScripts)) {
    return 'must not mix letters of different scripts in one part';
  }
  return null;
}
