import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM for the secrets Warden must read back (TOTP seeds), so that a copy of the database
 * alone does not hold them. Each sealed value is bound to a context (the user id) as associated
 * data: moved to another user's row, it no longer opens.
 */
export class SecretBox {
  private readonly key: Buffer;

  /** `encodedKey`: 32 bytes as hex or base64(url), as the configuration validates it. */
  constructor(encodedKey: string) {
    this.key = /^[0-9a-f]{64}$/i.test(encodedKey)
      ? Buffer.from(encodedKey, 'hex')
      : Buffer.from(encodedKey, 'base64');
    if (this.key.length !== 32)
      throw new Error('SecretBox needs a 32-byte key');
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

  /** The plaintext, or null when the value was tampered with, moved, or sealed with another key. */
  open(value: string, context: string): string | null {
    const parts = value.split('.');
    if (parts.length !== 4) return null;
    const [version, iv, sealed, tag] = parts;
    if (version !== VERSION || !iv || !sealed || !tag) return null;
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        this.key,
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
}
