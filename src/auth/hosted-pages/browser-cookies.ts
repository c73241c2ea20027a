// The plugins' type augmentations (reply.setCookie, request.cookies, generateCsrf, ...).
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser session cookie of the hosted pages. `__Host-` makes browsers insist on Secure,
 * Path=/ and no Domain, so no subdomain can set or read it; browsers accept Secure cookies on
 * http://localhost, so development works too. SameSite=Lax keeps it off cross-site POSTs and
 * subresources while a top-level navigation from a client's "Sign in" link still carries it.
 */
export const SESSION_COOKIE = '__Host-warden';

/** The CSRF secret of the hosted forms (@fastify/csrf-protection), with the same attributes. */
export const CSRF_COOKIE = '__Host-warden-csrf';

export const COOKIE_ATTRIBUTES = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
} as const;

export function sessionSecretOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value && value.length <= 128 ? value : undefined;
}

export function setSessionCookie(
  reply: FastifyReply,
  secret: string,
  expiresAt: Date,
): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    ...COOKIE_ATTRIBUTES,
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, COOKIE_ATTRIBUTES);
}
