import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { OAUTH_ENDPOINTS } from '../auth/oauth.exception.js';
import {
  BEARER_REALM,
  HttpExceptionWithHeaders,
} from './http-exception-with-headers.js';

/**
 * The one place where errors become responses:
 * - every 401 carries a `WWW-Authenticate` challenge (RFC 7235 §3.1; Nest's default has none),
 *   unless the exception brought a more specific one;
 * - the router's 404 names the path but never the query string, which may hold a token;
 * - on the OAuth endpoints, a 400, 413 or 415 raised before the route runs (an unparsable or
 *   oversized body, text no database can store) is an RFC 6749 §5.2 body like the route's own;
 * - anything that is not an HttpException is logged and answered with a generic 500, so no
 *   stack trace, SQL or library message ever reaches a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();

    if (!(exception instanceof HttpException)) {
      this.logger.error(
        `Unhandled error on ${request.method} ${pathOf(request)}`,
        exception instanceof Error ? exception.stack : String(exception),
      );
      void reply.status(HttpStatus.INTERNAL_SERVER_ERROR).send({
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        message: 'Internal server error',
        error: 'Internal Server Error',
      });
      return;
    }

    const status = exception.getStatus();
    const body = this.withoutQueryString(exception.getResponse(), request);
    if (exception instanceof HttpExceptionWithHeaders) {
      void reply.headers(exception.headers);
    }
    if (
      status === Number(HttpStatus.UNAUTHORIZED) &&
      !reply.hasHeader('www-authenticate')
    ) {
      void reply.header('WWW-Authenticate', `Bearer realm="${BEARER_REALM}"`);
    }
    if (OAUTH_ENDPOINTS.has(pathOf(request)) && OAUTH_SHAPED.has(status)) {
      void reply.status(status).send(oauthBody(body));
      return;
    }
    void reply.status(status).send(
      typeof body === 'string'
        ? { statusCode: status, message: body, error: STATUS_CODES[status] }
        : // Some exceptions (`new UnauthorizedException()` from a passport failure) carry no
          // `error`; every Nest-shaped body gets one, so clients can rely on the shape.
          'statusCode' in body && !('error' in body)
          ? { ...body, error: STATUS_CODES[status] }
          : body,
    );
  }

  /** Nest's 404 for an unknown route reads `Cannot GET <url>`; the url loses its query. */
  private withoutQueryString(
    body: string | object,
    request: FastifyRequest,
  ): string | object {
    const routerMessage = `Cannot ${request.method} ${request.url}`;
    const safeMessage = `Cannot ${request.method} ${pathOf(request)}`;
    if (body === routerMessage) return safeMessage;
    if (
      typeof body === 'object' &&
      'message' in body &&
      body.message === routerMessage
    ) {
      return { ...body, message: safeMessage };
    }
    return body;
  }
}

const OAUTH_SHAPED = new Set<number>([
  HttpStatus.BAD_REQUEST,
  HttpStatus.PAYLOAD_TOO_LARGE,
  HttpStatus.UNSUPPORTED_MEDIA_TYPE,
]);

const pathOf = (request: FastifyRequest): string =>
  request.url.split('?', 1)[0];

function oauthBody(body: string | object): object {
  if (typeof body === 'object' && 'error_description' in body) return body;
  const message =
    typeof body === 'string'
      ? body
      : 'message' in body
        ? ([] as unknown[]).concat(body.message).join('; ')
        : 'The request is malformed';
  // RFC 6749 §5.2 allows only printable ASCII without `"` and `\` in a description.
  return {
    error: 'invalid_request',
    error_description: message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ''),
  };
}
