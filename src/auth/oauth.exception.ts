import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';

/** RFC 6749 §5.2 and RFC 7009 §2.2.1 error codes that Warden emits. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope';

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
  ) {
    super(
      { error, error_description: description, ...extra },
      HttpStatus.BAD_REQUEST,
      {
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
      },
    );
  }
}
