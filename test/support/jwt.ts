import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-app.js';

/** Claims of a valid access token for `sub`, before any test-specific change. */
export function validClaims(sub: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'warden',
    aud: 'warden-api',
    sub,
    sid: randomUUID(),
    jti: randomUUID(),
    scope: 'profile todos:read todos:write posts:write',
    iat: now,
    exp: now + 600,
  };
}

/**
 * Signs with the real test secret (the catalogue's `sign()` helper): proves which claim checks
 * the server itself enforces. `undefined` claim values are removed.
 */
export function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  options: { algorithm?: jwt.Algorithm; secret?: string } = {},
): string {
  const payload = Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined),
  );
  const algorithm = options.algorithm ?? 'HS256';
  return jwt.sign(payload, options.secret ?? TEST_JWT_SECRET, {
    algorithm,
    header: { alg: algorithm, typ: 'at+jwt', ...header } as jwt.JwtHeader,
  });
}

export const base64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
