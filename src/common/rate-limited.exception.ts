import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from './http-exception-with-headers.js';

/** 429 with `Retry-After` in whole seconds (at least 1), also named in the body's message. */
export class RateLimitedException extends HttpExceptionWithHeaders {
  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        // Said in the body too, for people reading it in Swagger UI or a terminal.
        message: `${message}; try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
      { 'Retry-After': String(seconds) },
    );
  }
}
