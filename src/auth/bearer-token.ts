// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110).
const BEARER_CREDENTIALS = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The access token of an Authorization header, and only of that: tokens in the query string or
 * body are never read (RFC 6750 §5.3). Undefined when there are no bearer credentials (another
 * scheme counts as none), null when they are malformed.
 */
export function readBearerToken(
  authorization: string | undefined,
): string | null | undefined {
  if (!authorization) return undefined;
  const [scheme] = authorization.split(' ', 1);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  return BEARER_CREDENTIALS.exec(authorization)?.[1] ?? null;
}
