import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import {
  adjacencyGraphs,
  dictionary as commonDictionary,
} from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary } from '@zxcvbn-ts/language-en';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { ensureWritableFolder } from '../common/folders.js';
import { dirname } from 'node:path';

export const MIN_SECRET_BYTES = 32;

/** Values that appear in tutorials and docs; a secret equal to one of them is public. */
const KNOWN_WEAK_SECRETS = new Set([
  'secret',
  'changeme',
  'change-me',
  'warden',
  'your-256-bit-secret',
  'replace-me-with-a-long-random-secret',
  'please-change-this-secret-in-production',
]);

/**
 * How many guesses (log10) a production secret must be worth, as zxcvbn estimates them: 10^24
 * is about 80 bits. `openssl rand -base64 48` measures ~64, sequences, keyboard walks and
 * repeats 4-17.
 */
export const MIN_SECRET_GUESSES_LOG10 = 24;

/**
 * The most of a secret's letters and digits that dictionary words may make up: above it, the
 * secret reads as a phrase (`replace-me-with-a-real-secret-in-production`: 87 %), however long.
 * Random material stays far below it (measured over 300,000 `openssl rand` values of 32 and 48
 * bytes: at most 51 %, median 5 %), because a word counts only when written as words are:
 * lower case, UPPER CASE or Capitalised, which random base64 rarely is for three letters in a
 * row.
 */
export const MAX_DICTIONARY_SHARE = 0.6;

/** Decoded random material: fewer different byte values, or steps between them, is a pattern. */
const MIN_DISTINCT_BYTES = 16;

/**
 * Returns why a secret is unacceptable, or null when it is fine. Production also measures the
 * secret's guessability (`productionSecretReason`), which a test or development secret need not
 * pass.
 */
export function weakSecretReason(secret: string): string | null {
  const lowered = secret.toLowerCase();
  // Short values (`secret`) are common words inside real secrets too; long ones are not.
  if (
    KNOWN_WEAK_SECRETS.has(lowered) ||
    [...KNOWN_WEAK_SECRETS].some(
      (known) => known.length >= 16 && lowered.includes(known),
    )
  ) {
    return 'is or contains a well-known example value';
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (generate one with: openssl rand -base64 48)`;
  }
  // A long run of one or two characters passes the length check yet carries almost no entropy.
  if (new Set(secret).size < 8) {
    return 'has too few distinct characters to be random';
  }
  return null;
}

let estimator: ZxcvbnFactory | undefined;
let words: { set: Set<string>; longest: number } | undefined;

/** English words of three letters or more (common words and Wikipedia's), lower case. */
function dictionaryWords(): { set: Set<string>; longest: number } {
  if (words) return words;
  const set = new Set<string>();
  let longest = 0;
  for (const list of [
    englishDictionary['commonWords-en'],
    englishDictionary['wikipedia-en'],
  ])
    for (const word of list)
      if (/^[a-z]{3,}$/.test(word)) {
        set.add(word);
        longest = Math.max(longest, word.length);
      }
  words = { set, longest };
  return words;
}

// A word as people write one: `secret`, `SECRET` or `Secret` (not `sEcReT`).
const WRITTEN_AS_A_WORD = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/;

/**
 * The share of a secret's letters and digits that English words of three letters or more cover,
 * where they are written as words are (see `MAX_DICTIONARY_SHARE`).
 */
export function dictionaryShare(secret: string): number {
  const text = secret.slice(0, 256);
  const { set, longest } = dictionaryWords();
  const covered = new Uint8Array(text.length);
  for (let start = 0; start < text.length; start++)
    for (
      let end = start + 3;
      end <= Math.min(text.length, start + longest);
      end++
    ) {
      const part = text.slice(start, end);
      if (!WRITTEN_AS_A_WORD.test(part)) break;
      if (set.has(part.toLowerCase())) covered.fill(1, start, end);
    }
  let counted = 0;
  let inWords = 0;
  for (let index = 0; index < text.length; index++) {
    if (!/[\p{L}\p{N}]/u.test(text[index])) continue;
    counted++;
    inWords += covered[index];
  }
  return counted === 0 ? 1 : inWords / counted;
}

/**
 * The bytes a secret encodes when it is written as random material is (hex, base64, base64url),
 * or null when it is not such an encoding.
 */
export function decodedMaterial(secret: string): Buffer | null {
  if (/^(?:[0-9a-f]{2})+$/.test(secret) || /^(?:[0-9A-F]{2})+$/.test(secret))
    return Buffer.from(secret, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(secret) && secret.length % 4 !== 1)
    return Buffer.from(secret, 'base64');
  if (/^[A-Za-z0-9_-]+$/.test(secret) && secret.length % 4 !== 1)
    return Buffer.from(secret, 'base64url');
  return null;
}

/**
 * Why decoded random material is not random: too few different bytes (64 hex zeros), or too
 * few different steps from one byte to the next (`000102…1f`). 32 random bytes have ~30 of each.
 */
function patternedBytes(bytes: Buffer): string | null {
  const values = new Set(bytes);
  const steps = new Set<number>();
  for (let index = 1; index < bytes.length; index++)
    steps.add((bytes[index] - bytes[index - 1] + 256) % 256);
  return values.size < MIN_DISTINCT_BYTES || steps.size < MIN_DISTINCT_BYTES
    ? `decodes to bytes with a pattern (${values.size} different values, ${steps.size} different steps between them), not random ones: generate one with: openssl rand -base64 48`
    : null;
}

/**
 * The production rule for a secret (JWT_SECRET, the MFA keys): random material (hex, base64 or
 * base64url decoding to at least 32 bytes without a pattern), or free text of at least 32 bytes
 * that does not read as a phrase (`MAX_DICTIONARY_SHARE`); in both cases not predictable to
 * zxcvbn (sequences, keyboard walks, repeats, common passwords).
 */
export function productionSecretReason(secret: string): string | null {
  const reason = weakSecretReason(secret);
  if (reason) return reason;
  const share = dictionaryShare(secret);
  if (share > MAX_DICTIONARY_SHARE)
    return `reads as a phrase: English words make up ${Math.round(share * 100)} % of it (at most ${MAX_DICTIONARY_SHARE * 100} %): generate one with: openssl rand -base64 48`;
  const material = decodedMaterial(secret);
  if (material && material.length >= MIN_SECRET_BYTES) {
    const pattern = patternedBytes(material);
    if (pattern) return pattern;
  }
  estimator ??= new ZxcvbnFactory({
    dictionary: commonDictionary,
    graphs: adjacencyGraphs,
    // Each l33t substitution tried multiplies the work (~55 ms a check with the default of 100,
    // ~6 ms with 4); English phrases are caught by `dictionaryShare` before this runs.
    l33tMaxSubstitutions: 4,
  });
  // zxcvbn's cost grows with the length; a secret past 256 characters is judged by its start.
  const { guessesLog10 } = estimator.check(secret.slice(0, 256));
  return guessesLog10 < MIN_SECRET_GUESSES_LOG10
    ? `is too predictable (sequences, repeats, words or keyboard patterns; about 10^${Math.floor(guessesLog10)} guesses, at least 10^${MIN_SECRET_GUESSES_LOG10} needed): generate one with: openssl rand -base64 48`
    : null;
}

/**
 * Development convenience: a random secret generated on first start and kept in a git-ignored
 * file, so that tokens survive restarts without anyone committing a secret.
 */
export function loadOrCreateDevelopmentSecret(
  file: string,
  bytes = 48,
): string {
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  const secret = randomBytes(bytes).toString('base64url');
  ensureWritableFolder(dirname(file));
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The development ID-token keys kept in `file`: an RSA private key (2048 bits) and a P-256 one
 * (ES256), made on first use. A file from before ES256 (the RSA key alone) gets the P-256 key
 * appended.
 */
export function loadOrCreateDevelopmentOidcKeys(file: string): void {
  const pem = (type: 'rsa' | 'ec') =>
    (type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    ).privateKey
      .export({ format: 'pem', type: 'pkcs8' })
      .toString();
  if (existsSync(file)) {
    const blocks = readFileSync(file, 'utf8').match(/-----BEGIN /g) ?? [];
    if (blocks.length === 1) appendFileSync(file, pem('ec'));
    return;
  }
  ensureWritableFolder(dirname(file));
  writeFileSync(file, pem('rsa') + pem('ec'), { mode: 0o600 });
}
