import { HttpStatus, UnauthorizedException } from '@nestjs/common';
import { ProblemException } from '../problems/problem.exception.js';
import { PROBLEM_TYPES } from '../problems/problem-types.js';
import { accountLockedException } from '../users/login-attempts.service.js';
import type { User } from '../users/user.entity.js';
import { OAuthException } from './oauth.exception.js';

/** The verdict of a password check (`PasswordSignIn.check`). */
export type PasswordCheck =
  | { outcome: 'ok'; user: User }
  | { outcome: 'invalid_credentials' }
  | { outcome: 'disabled' }
  | { outcome: 'unverified' }
  | { outcome: 'locked'; retryAfterSeconds: number };

/**
 * Every way a sign-in stops short of tokens, whichever route or grant it came through. The
 * functions below give each its answer: RFC 9457 problem details on the JSON routes, RFC 6749
 * §5.2 on the token endpoint. Each message is written once, here or in `PROBLEM_TYPES`.
 */
export type SignInFailure =
  | Exclude<PasswordCheck, { outcome: 'ok' }>
  /** The password was right; a second factor is due, with this `mfa_token`. */
  | { outcome: 'mfa_required'; mfaToken: string }
  | { outcome: 'invalid_mfa_token' }
  | { outcome: 'invalid_code' }
  | { outcome: 'invalid_refresh_token' }
  /** The refresh token is bound to a DPoP key (a public client's, RFC 9449 §5) the request did not prove. */
  | { outcome: 'dpop_key_mismatch' }
  /** A refresh asked for more than the session was granted. */
  | { outcome: 'scope_exceeds_grant' }
  /** A password grant asked for scopes none of which the user's roles grant. */
  | { outcome: 'invalid_scope'; available: readonly string[] }
  | { outcome: 'passkey_failed' };

export const EMAIL_NOT_VERIFIED_DETAIL =
  'The email address is not verified yet: use the link mailed to it (POST /auth/email/verify/resend sends a new one)';
const MFA_REQUIRED_DETAIL =
  'A second factor is required: POST /auth/mfa/verify with mfa_token and code (or recovery_code)';
const INVALID_REFRESH_TOKEN =
  'The refresh token is invalid, expired or revoked';
const SCOPE_EXCEEDS_GRANT = 'The requested scope exceeds the granted scope';

/**
 * The follow-up grant of a password grant answered with `mfa_required` (Auth0's `mfa-otp` grant
 * under Warden's own URN, as RFC 6749 §4.5 asks of extension grants).
 */
const DPOP_BOUND_REFRESH_TOKEN =
  'The refresh token is bound to a DPoP key: refresh at /auth/token with a DPoP proof signed by that key';

export const MFA_OTP_GRANT = 'urn:warden:params:oauth:grant-type:mfa-otp';

/** The answer on the JSON routes (`/auth/login`, `/auth/mfa/verify`, `/auth/refresh`, passkeys). */
export function signInProblem(failure: SignInFailure): Error {
  switch (failure.outcome) {
    case 'locked':
      return accountLockedException(failure.retryAfterSeconds);
    case 'unverified':
      return new ProblemException('email_not_verified', {
        detail: EMAIL_NOT_VERIFIED_DETAIL,
      });
    // One answer for an unknown user, a wrong password and a disabled account.
    case 'invalid_credentials':
    case 'disabled':
      return new ProblemException('invalid_credentials');
    case 'mfa_required':
      return new ProblemException('mfa_required', {
        detail: MFA_REQUIRED_DETAIL,
        extensions: { mfa_token: failure.mfaToken },
        headers: { 'Cache-Control': 'no-store' },
      });
    case 'invalid_mfa_token':
    case 'invalid_code':
    case 'passkey_failed':
      return new ProblemException(
        failure.outcome === 'passkey_failed'
          ? 'passkey_sign_in_failed'
          : failure.outcome,
        { status: HttpStatus.UNAUTHORIZED },
      );
    case 'invalid_refresh_token':
      return new UnauthorizedException(INVALID_REFRESH_TOKEN);
    case 'dpop_key_mismatch':
      return new UnauthorizedException(DPOP_BOUND_REFRESH_TOKEN);
    case 'scope_exceeds_grant':
    case 'invalid_scope':
      return new UnauthorizedException(SCOPE_EXCEEDS_GRANT);
  }
}

/** The answer on the token endpoint (RFC 6749 §5.2); a lock is a 429 the filter calls `slow_down`. */
export function signInOAuthError(failure: SignInFailure): Error {
  switch (failure.outcome) {
    case 'locked':
      return accountLockedException(failure.retryAfterSeconds);
    case 'unverified':
      return new OAuthException('invalid_grant', EMAIL_NOT_VERIFIED_DETAIL);
    case 'invalid_credentials':
    case 'disabled':
      return new OAuthException(
        'invalid_grant',
        PROBLEM_TYPES.invalid_credentials.title,
      );
    case 'mfa_required':
      return new OAuthException(
        'invalid_grant',
        `A second factor is required: send mfa_token with otp (or recovery_code), grant_type=${MFA_OTP_GRANT}`,
        { mfa_required: true, mfa_token: failure.mfaToken },
      );
    case 'invalid_mfa_token':
    case 'invalid_code':
      return new OAuthException(
        'invalid_grant',
        PROBLEM_TYPES[failure.outcome].title,
      );
    case 'invalid_refresh_token':
      return new OAuthException('invalid_grant', INVALID_REFRESH_TOKEN);
    case 'dpop_key_mismatch':
      return new OAuthException('invalid_grant', DPOP_BOUND_REFRESH_TOKEN);
    case 'scope_exceeds_grant':
      return new OAuthException('invalid_scope', SCOPE_EXCEEDS_GRANT);
    case 'invalid_scope':
      return new OAuthException(
        'invalid_scope',
        `Requested scope is unknown, or none of it can be granted; available: ${failure.available.join(' ')}`,
      );
    case 'passkey_failed':
      return new OAuthException(
        'invalid_grant',
        PROBLEM_TYPES.passkey_sign_in_failed.title,
      );
  }
}
