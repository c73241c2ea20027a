import type { FastifyRequest } from 'fastify';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110).
const BEARER_CREDENTIALS = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export type BearerCredentials =
  { kind: 'absent' } | { kind: 'malformed' } | { kind: 'token'; token: string };

/**
 * Reads the access token from the Authorization header, and only from there: tokens in the
 * query string or body are never accepted (RFC 6750 §5.3). Another scheme counts as absent.
 */
export function readBearerCredentials(
  request: FastifyRequest,
): BearerCredentials {
  const header = request.headers.authorization;
  if (!header) return { kind: 'absent' };
  const [scheme] = header.split(' ', 1);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'absent' };
  const match = BEARER_CREDENTIALS.exec(header);
  return match ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}
