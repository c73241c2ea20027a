import { createHash, randomBytes } from 'node:crypto';

const SECRET_TOKEN_BYTES = 32;

/** An opaque bearer secret (refresh tokens, emailed links): 256 random bits, base64url. */
export const newSecretToken = (): string =>
  randomBytes(SECRET_TOKEN_BYTES).toString('base64url');

/** What is stored of such a token: its SHA-256, hex. The token itself never is. */
export const hashSecretToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');
