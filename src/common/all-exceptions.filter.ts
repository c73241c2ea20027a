import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { isTransactionConflict } from '../database/database-errors.js';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DatabaseOutage,
  isDatabaseUnavailable,
} from '../database/database-outage.js';
import {
  BEARER_REALM,
  HttpExceptionWithHeaders,
} from './http-exception-with-headers.js';
import { routeFactsOf } from './route-facts.js';
import {
  aboutBlankProblem,
  isProblemCode,
  PROBLEM_JSON,
  PROBLEM_TYPES,
  problemTypeUri,
} from '../problems/problem-types.js';
import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';

/**
 * The one place where errors become responses:
 * - outside the OAuth endpoints every error is RFC 9457 problem details
 *   (`application/problem+json`): a `ProblemException` with its kind's type URI, title and
 *   `error` code; any other HttpException with type `about:blank` and its status's name, its
 *   message as `detail`;
 * - every 401 carries a `WWW-Authenticate` challenge (RFC 7235 §3.1; Nest's default has none),
 *   unless the exception brought a more specific one;
 * - the router's 404 names the path but never the query string, which may hold a token;
 * - on the OAuth endpoints (token, revocation: `@OAuthEndpoint()`) every
 *   error, including those raised before the route runs (an unparsable or oversized body), rate
 *   limits and server failures, is an RFC 6749 §5.2 body like the route's own, so OAuth clients
 *   can always read `error_description`;
 * - a database that is unreachable or too slow is a 503 with `Retry-After`, logged once per
 *   outage (`DatabaseOutage`), not a 500 with a stack per request; so is a transaction that
 *   PostgreSQL gave up in a conflict with another (a deadlock), logged as a warning with the route;
 * - anything else that is not an HttpException is logged and answered with a generic 500, so no
 *   stack trace, SQL or library message ever reaches a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  private readonly publicUrl: string;

  constructor(
    private readonly outage: DatabaseOutage,
    config: ConfigService<Settings, true>,
  ) {
    this.publicUrl = config.get('app.PUBLIC_URL', { infer: true });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const oauthEndpoint = routeFactsOf(request).oauthErrors === true;

    const error =
      exception instanceof HttpException
        ? exception
        : this.fromUnexpected(exception, request);
    const status = error.getStatus();
    const body = this.withoutQueryString(error.getResponse(), request);
    if (error instanceof HttpExceptionWithHeaders) {
      void reply.headers(error.headers);
    }
    if (
      status === Number(HttpStatus.UNAUTHORIZED) &&
      !reply.hasHeader('www-authenticate')
    ) {
      void reply.header('WWW-Authenticate', `Bearer realm="${BEARER_REALM}"`);
    }
    // A route may have set another type (an HTML page's) before it threw; the error is JSON.
    if (oauthEndpoint) {
      void reply
        .type('application/json; charset=utf-8')
        .status(status)
        .send(oauthBody(status, body));
      return;
    }
    void reply
      .type(PROBLEM_JSON)
      .status(status)
      .send(this.problemDetails(status, body));
  }

  /**
   * RFC 9457 problem details of an HttpException's body: `{statusCode, message, error}` as Nest
   * writes it, or `{error, detail, ...extensions}` as `ProblemException` does.
   */
  private problemDetails(
    status: number,
    body: string | object,
  ): Record<string, unknown> {
    const {
      statusCode: _statusCode,
      message,
      error,
      detail,
      ...extensions
    } = typeof body === 'string'
      ? { message: body }
      : (body as Record<string, unknown>);
    const statusName = STATUS_CODES[status] ?? 'Error';
    const text = describe(detail ?? message) ?? statusName;
    if (isProblemCode(error))
      return {
        type: problemTypeUri(this.publicUrl, error),
        title: PROBLEM_TYPES[error].title,
        status,
        detail: text,
        error,
        ...extensions,
      };
    return { ...aboutBlankProblem(status, statusName, text), ...extensions };
  }

  /**
   * What a client is told of an error that is not an HttpException: a database that cannot
   * serve now is a 503 with `Retry-After` (the outage is logged once, by DatabaseOutage);
   * anything else is logged with its stack and answered with a generic 500.
   */
  private fromUnexpected(
    exception: unknown,
    request: FastifyRequest,
  ): HttpException {
    if (isDatabaseUnavailable(exception)) {
      this.outage.record(exception);
      return new HttpExceptionWithHeaders(
        `The database is unavailable; try again in ${DATABASE_RETRY_AFTER_SECONDS} seconds`,
        HttpStatus.SERVICE_UNAVAILABLE,
        { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      );
    }
    if (isTransactionConflict(exception)) {
      // Transactions lock a user's row first so that this does not happen: say where it did.
      this.logger.warn(
        `transaction conflict (deadlock or serialization failure) on ${request.method} ${pathOf(request)}: answered 503`,
      );
      return new HttpExceptionWithHeaders(
        'The request ran into another one; try again',
        HttpStatus.SERVICE_UNAVAILABLE,
        { 'Retry-After': '1' },
      );
    }
    this.logger.error(
      `Unhandled error on ${request.method} ${pathOf(request)}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new InternalServerErrorException('Internal server error');
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

const pathOf = (request: FastifyRequest): string =>
  request.url.split('?', 1)[0];

/**
 * The RFC 6749 §5.2 code for an error that is not already in that shape: a rate limit is
 * `slow_down` (registered for the token endpoint by RFC 8628), an unavailable dependency
 * `temporarily_unavailable`, any other server failure `server_error`, a rejected bearer token
 * RFC 6750's `invalid_token`, anything else about the request `invalid_request`.
 */
export function oauthErrorCode(status: number): string {
  if (status === Number(HttpStatus.TOO_MANY_REQUESTS)) return 'slow_down';
  if (status === Number(HttpStatus.SERVICE_UNAVAILABLE))
    return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  if (status === Number(HttpStatus.UNAUTHORIZED)) return 'invalid_token';
  return 'invalid_request';
}

/** A message as one line: Nest's validation messages come as a list. */
function describe(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
}

function oauthBody(status: number, body: string | object): object {
  if (typeof body === 'object' && 'error_description' in body) return body;
  const fields = typeof body === 'string' ? { message: body } : body;
  const message =
    describe('detail' in fields ? fields.detail : undefined) ??
    describe('message' in fields ? fields.message : undefined) ??
    'The request is malformed';
  // RFC 6749 §5.2 allows only printable ASCII without a double quote or a backslash in a description.
  return {
    error: oauthErrorCode(status),
    error_description: message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ''),
  };
}
