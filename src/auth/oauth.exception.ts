import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';

/** RFC 6749 §5.2 and RFC 7009 §2.2.1 error codes that Warden emits. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/**
 * A token-endpoint error in the RFC 6749 §5.2 shape (`{error, error_description}`), never
 * cached. Descriptions are fixed strings written here, so they cannot carry CR/LF or library text.
 */
export class OAuthException extends HttpExceptionWithHeaders {
  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    /** Extension members of the error (`mfa_required`, `mfa_token`). */
    extra: Record<string, unknown> = {},
    status: number = HttpStatus.BAD_REQUEST,
    headers: Record<string, string> = {},
  ) {
    super({ error, error_description: description, ...extra }, status, {
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...headers,
    });
  }
}

/**
 * RFC 6749 §5.2 `invalid_client`: 401, with a Basic challenge when the client tried the
 * Authorization header (which the RFC requires then, and which is harmless otherwise).
 */
export const invalidClient = (description: string): OAuthException =>
  new OAuthException(
    'invalid_client',
    description,
    {},
    HttpStatus.UNAUTHORIZED,
    { 'WWW-Authenticate': 'Basic realm="warden", charset="UTF-8"' },
  );
