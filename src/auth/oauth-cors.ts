import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { ClientsService } from '../clients/clients.service.js';

/** Documents anyone may read, from any page: discovery and the public keys. */
const PUBLIC_DOCUMENTS = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
]);

/** The endpoints a browser app (a public client) calls with the tokens it got. */
const CLIENT_ENDPOINTS = new Set([
  '/auth/token',
  '/token',
  '/auth/revoke',
  '/userinfo',
]);

const PREFLIGHT_MAX_AGE = '600';

/**
 * CORS for the OAuth endpoints, so that a single-page app on its own origin can use the
 * authorization code flow (what node-oidc-provider does by default): discovery and the JWKS for
 * any origin; the token, revocation and userinfo endpoints for the origins of public clients'
 * redirect URIs (a browser app's origin is where its redirect URI is). Never with credentials:
 * these endpoints read no cookie. The API's own routes keep `CORS_ORIGINS`.
 */
/** Whether a request's path is one of the OAuth endpoints, whose CORS rules are these. */
export function hasOAuthCors(url: string): boolean {
  const path = url.split('?', 1)[0];
  return PUBLIC_DOCUMENTS.has(path) || CLIENT_ENDPOINTS.has(path);
}

export function applyOAuthCors(app: NestFastifyApplication): void {
  const clients = app.get(ClientsService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin === undefined) return;
      const path = request.url.split('?', 1)[0];
      const isPublic = PUBLIC_DOCUMENTS.has(path);
      if (!isPublic && !CLIENT_ENDPOINTS.has(path)) return;
      const allowed = isPublic
        ? '*'
        : (await clients.browserOrigins()).has(origin)
          ? origin
          : null;
      if (allowed === null) return;
      void reply
        .header('Access-Control-Allow-Origin', allowed)
        .header('Vary', 'Origin')
        .header(
          'Access-Control-Expose-Headers',
          'WWW-Authenticate, Retry-After, DPoP-Nonce',
        );
      if (request.method === 'OPTIONS') return answerPreflight(reply, isPublic);
    });
}

/** Answers a preflight at once: the request goes no further than this hook. */
function answerPreflight(reply: FastifyReply, isPublic: boolean): FastifyReply {
  return reply
    .header('Access-Control-Allow-Methods', isPublic ? 'GET' : 'GET, POST')
    .header(
      'Access-Control-Allow-Headers',
      // The only headers these endpoints read: a form body, a bearer or DPoP token, Basic
      // credentials, a DPoP proof (RFC 9449).
      'authorization, content-type, dpop',
    )
    .header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE)
    .status(204)
    .send();
}
