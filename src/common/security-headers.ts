import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DOCS_PATH } from './swagger.js';

/**
 * API responses get `default-src 'none'` (they are JSON, never rendered); Swagger UI's pages
 * need their own scripts, styles and the images they inline.
 */
const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The account pages (`src/account-pages`) run their one script and talk to this origin only. */
const ACCOUNT_PAGES_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * helmet's defaults (HSTS, nosniff, frame options, referrer policy, ...), worked out once.
 * helmet is Express-style middleware that sets the same constant values on every request,
 * one function call per header; here it runs once against a recording response and its
 * answer is kept. CSP is left out of it and chosen per response kind instead.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let done = false;
  helmet({ contentSecurityPolicy: false })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => (done = true),
  );
  // helmet runs synchronously today; should that change, fail at start-up, not per request.
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}

/** Every response gets the security headers and its `X-Request-Id`. */
export function addResponseHeaders(fastify: FastifyInstance): void {
  const api = { ...helmetHeaders(), 'Content-Security-Policy': API_CSP };
  const docs = { ...api, 'Content-Security-Policy': DOCS_CSP };
  const pages = { ...api, 'Content-Security-Policy': ACCOUNT_PAGES_CSP };
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = request.url.startsWith(`/${DOCS_PATH}`)
      ? docs
      : request.url.startsWith('/account/')
        ? pages
        : api;
    void reply.headers(headers).header('X-Request-Id', request.id);
    done();
  });
}
