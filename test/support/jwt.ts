import { createHmac, randomUUID } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-app.js';

/** The issuer of a test server's tokens: PUBLIC_URL's default, `http://localhost:<PORT>`. */
export const TEST_ISSUER = 'http://localhost:3000';

/** The claims of a token Warden issued, decoded without checking anything. */
export interface DecodedClaims {
  sub: string;
  sid: string;
  jti: string;
  scope: string;
  iat: number;
  exp: number;
  client_id?: string;
  /** A DPoP-bound token's key thumbprint (RFC 9449 §6.1). */
  cnf?: { jkt: string };
}

export const decodeClaims = (token: string): DecodedClaims =>
  JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString(),
  ) as DecodedClaims;

/**
 * Claims of a valid access token for `user` (in the session of its current access token),
 * before any test-specific change.
 */
export function validClaims(user: {
  id: string;
  accessToken: string;
}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    aud: 'warden-api',
    sub: user.id,
    sid: decodeClaims(user.accessToken).sid,
    jti: randomUUID(),
    scope: 'account todos:read todos:write posts:write',
    iat: now,
    exp: now + 600,
  };
}

export const base64url = (value: unknown) =>
  Buffer.from(
    typeof value === 'string' ? value : JSON.stringify(value),
  ).toString('base64url');

const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/**
 * The catalogue's `sign()`: an HMAC over whatever claims and header a test wants, with the real
 * test secret unless told otherwise, so a test proves which checks the server enforces (no
 * library refuses to sign a string `exp` here). `undefined` values are left out.
 */
export function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  options: { algorithm?: keyof typeof HASH; secret?: string | Buffer } = {},
): string {
  const algorithm = options.algorithm ?? 'HS256';
  const withoutUndefined = (record: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(record).filter(([, value]) => value !== undefined),
    );
  const signingInput = `${base64url(withoutUndefined({ alg: algorithm, typ: 'at+jwt', ...header }))}.${base64url(withoutUndefined(claims))}`;
  const mac = createHmac(HASH[algorithm], options.secret ?? TEST_JWT_SECRET)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${mac}`;
}
