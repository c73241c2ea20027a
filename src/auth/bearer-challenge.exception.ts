import { HttpStatus } from '@nestjs/common';
import {
  BEARER_REALM,
  HttpExceptionWithHeaders,
} from '../common/http-exception-with-headers.js';

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode =
  'invalid_request' | 'invalid_token' | 'insufficient_scope';

const STATUS: Record<BearerErrorCode, [HttpStatus, string]> = {
  invalid_request: [HttpStatus.BAD_REQUEST, 'Bad Request'],
  invalid_token: [HttpStatus.UNAUTHORIZED, 'Unauthorized'],
  insufficient_scope: [HttpStatus.FORBIDDEN, 'Forbidden'],
};

/**
 * A failed bearer authentication: the status RFC 6750 asks for, a `WWW-Authenticate: Bearer`
 * challenge with the error code (and the missing scope), and a generic Nest-shaped body.
 * Without a code it is the plain challenge for a request that brought no token at all.
 */
export class BearerChallengeException extends HttpExceptionWithHeaders {
  constructor(
    readonly code: BearerErrorCode | undefined,
    message: string,
    requiredScope?: string,
  ) {
    const [status, error] = code
      ? STATUS[code]
      : [HttpStatus.UNAUTHORIZED, 'Unauthorized'];
    let challenge = `Bearer realm="${BEARER_REALM}"`;
    if (code) challenge += `, error="${code}"`;
    if (requiredScope) challenge += `, scope="${requiredScope}"`;
    super({ statusCode: status, message, error }, status, {
      'WWW-Authenticate': challenge,
    });
  }
}
