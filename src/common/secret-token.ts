import { createHash, randomBytes } from 'node:crypto';

const SECRET_TOKEN_BYTES = 32;

/** An opaque bearer secret (refresh tokens, emailed links): 256 random bits, base64url. */
export const newSecretToken = (): string =>
  randomBytes(SECRET_TOKEN_BYTES).toString('base64url');

/** base64url of 32 bytes is 43 characters; anything much longer is not one of ours. */
const MAX_SECRET_TOKEN_LENGTH = 128;

/** Whether a presented string could be one of these tokens, before hashing and a lookup. */
export const isPlausibleSecretToken = (token: string): boolean =>
  token.length > 0 && token.length <= MAX_SECRET_TOKEN_LENGTH;

/** What is stored of such a token: its SHA-256, hex. The token itself never is. */
export const hashSecretToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');
