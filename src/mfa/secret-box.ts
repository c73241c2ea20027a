import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM for the secrets Warden must read back (TOTP seeds), so that a copy of the database
 * alone does not hold them. Each sealed value is bound to a context (the user id) as associated
 * data: moved to another user's row, it no longer opens. While a key is being rotated, values
 * sealed with the previous key still open, and `rotated` moves them to the current one.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previousKey: Buffer | null;

  /** Keys: 32 bytes as hex or base64(url), as the configuration validates them. */
  constructor(encodedKey: string, encodedPreviousKey?: string) {
    this.key = decodeKey(encodedKey);
    this.previousKey = encodedPreviousKey
      ? decodeKey(encodedPreviousKey)
      : null;
  }

  /** Whether a previous key is configured, that is, whether a rotation is under way. */
  get rotating(): boolean {
    return this.previousKey !== null;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [VERSION, iv, sealed, cipher.getAuthTag()]
      .map((part) =>
        typeof part === 'string' ? part : part.toString('base64url'),
      )
      .join('.');
  }

  /**
   * The plaintext, or null when the value was tampered with, moved, or sealed with a key that is
   * neither the current nor the previous one.
   */
  open(value: string, context: string): string | null {
    return (
      openWith(this.key, value, context) ??
      (this.previousKey && openWith(this.previousKey, value, context))
    );
  }

  /**
   * What a key rotation makes of a value, with one decryption per key at most: already sealed
   * with the current key; sealed anew with it (it opened only with the previous one); or
   * unreadable with either.
   */
  rotated(value: string, context: string): Rotation {
    if (openWith(this.key, value, context) !== null) return { kind: 'current' };
    const plaintext =
      this.previousKey && openWith(this.previousKey, value, context);
    return plaintext === null
      ? { kind: 'unreadable' }
      : { kind: 'resealed', value: this.seal(plaintext, context) };
  }
}

export type Rotation =
  | { kind: 'current' }
  | { kind: 'resealed'; value: string }
  | { kind: 'unreadable' };

function decodeKey(encoded: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(encoded)
    ? Buffer.from(encoded, 'hex')
    : Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  return key;
}

function openWith(key: Buffer, value: string, context: string): string | null {
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const [version, iv, sealed, tag] = parts;
  if (version !== VERSION || !iv || !sealed || !tag) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}
