// The plugins' type augmentations (reply.setCookie, request.cookies, generateCsrf, ...).
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Refuses a hosted form whose CSRF token does not match this browser's secret cookie
 * (@fastify/csrf-protection's check, RFC 9700 §4.7 and login CSRF). The plugin reports a failure
 * by sending its own error; the guard takes that as its answer instead, so the page's filter
 * renders it.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return new Promise((resolve, reject) => {
      const refuse = () => {
        reject(
          new ForbiddenException(
            'This form has expired or did not come from this site. Go back, reload the page and try again.',
          ),
        );
        return reply;
      };
      const watched = Object.create(reply, {
        send: { value: refuse },
      }) as FastifyReply;
      request.server.csrfProtection(request, watched, () => resolve(true));
    });
  }
}
