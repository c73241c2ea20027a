import { HttpStatus } from '@nestjs/common';
import { HttpExceptionWithHeaders } from '../common/http-exception-with-headers.js';

const MFA_REQUIRED_MESSAGE =
  'A second factor is required: POST /auth/mfa/verify with mfa_token and code (or recovery_code)';

/**
 * `POST /auth/login` with the right password for an account with a second factor: 401
 * `mfa_required` and the `mfa_token` that `POST /auth/mfa/verify` takes with the code.
 */
export class MfaRequiredException extends HttpExceptionWithHeaders {
  constructor(mfaToken: string) {
    super(
      {
        statusCode: HttpStatus.UNAUTHORIZED,
        error: 'mfa_required',
        message: MFA_REQUIRED_MESSAGE,
        mfa_token: mfaToken,
      },
      HttpStatus.UNAUTHORIZED,
      { 'Cache-Control': 'no-store' },
    );
  }
}
