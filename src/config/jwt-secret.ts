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

/** Returns why a secret is unacceptable, or null when it is fine. */
export function weakSecretReason(secret: string): string | null {
  if (KNOWN_WEAK_SECRETS.has(secret.toLowerCase())) {
    return 'is a well-known example value';
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

/**
 * Development convenience: a random secret generated on first start and kept in a git-ignored
 * file, so that tokens survive restarts without anyone committing a secret.
 */
export function loadOrCreateDevelopmentSecret(file: string): string {
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
