import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { COOKIE_ATTRIBUTES, CSRF_COOKIE } from './browser-cookies.js';

/** Cookies and CSRF tokens for the hosted pages (the API itself uses neither). */
export async function registerBrowserPlugins(
  app: NestFastifyApplication,
): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyCsrfProtection, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: COOKIE_ATTRIBUTES,
    // The token is read from a form body only: these pages post forms and send no headers of
    // their own, so anything else (a JSON body, a header) is not one of their submissions.
    getToken: (request) => {
      const form = request.headers['content-type']
        ?.toLowerCase()
        .startsWith('application/x-www-form-urlencoded');
      const body = request.body as Record<string, unknown> | undefined;
      return form && typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });
}
