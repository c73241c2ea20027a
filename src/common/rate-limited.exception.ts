import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from './http-exception-with-headers.js';

/** 429 with `Retry-After` in whole seconds (at least 1), and a generic body. */
export class RateLimitedException extends HttpExceptionWithHeaders {
  constructor(message: string, retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
      { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    );
  }
}
