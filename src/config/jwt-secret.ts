import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * is about 80 bits. `openssl rand -base64 48` measures ~64; `0123456789abcdef…`, keyboard walks,
 * repeated words and padded tutorial values measure 4-17.
 */
export const MIN_SECRET_GUESSES_LOG10 = 24;

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

/** `weakSecretReason`, then a measure of how guessable the secret is (zxcvbn). */
export function productionSecretReason(secret: string): string | null {
  const reason = weakSecretReason(secret);
  if (reason) return reason;
  estimator ??= new ZxcvbnFactory({
    dictionary,
    graphs: adjacencyGraphs,
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
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
