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
import {
  BEARER_REALM,
  HttpExceptionWithHeaders,
} from './http-exception-with-headers.js';

/**
 * The one place where errors become responses:
 * - every 401 carries a `WWW-Authenticate` challenge (RFC 7235 §3.1; Nest's default has none),
 *   unless the exception brought a more specific one;
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
        `Unhandled error on ${request.method} ${request.url}`,
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
    const body = exception.getResponse();
    if (exception instanceof HttpExceptionWithHeaders) {
      void reply.headers(exception.headers);
    }
    if (
      status === Number(HttpStatus.UNAUTHORIZED) &&
      !reply.hasHeader('www-authenticate')
    ) {
      void reply.header('WWW-Authenticate', `Bearer realm="${BEARER_REALM}"`);
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
}
