// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; RFC 9449 §7.1: "DPoP" 1*SP token68. The
// scheme is case-insensitive (RFC 9110).
const CREDENTIALS = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/** An access token as presented: plain (`Bearer`) or sender-constrained (`DPoP`). */
export interface PresentedToken {
  scheme: 'Bearer' | 'DPoP';
  token: string;
}

/**
 * The access token of an Authorization header, and only of that: tokens in the query string or
 * body are never read (RFC 6750 §5.3). Undefined when there are no such credentials (another
 * scheme counts as none), null when they are malformed.
 */
export function readAccessToken(
  authorization: string | undefined,
): PresentedToken | null | undefined {
  if (!authorization) return undefined;
  const [scheme] = authorization.split(' ', 1);
  const lower = scheme.toLowerCase();
  if (lower !== 'bearer' && lower !== 'dpop') return undefined;
  const token = CREDENTIALS.exec(authorization)?.[2];
  if (token === undefined) return null;
  return { scheme: lower === 'dpop' ? 'DPoP' : 'Bearer', token };
}
