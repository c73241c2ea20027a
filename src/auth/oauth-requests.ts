import type { SecondFactorProof } from '../mfa/mfa.service.js';
import { OAuthException } from './oauth.exception.js';

export type TokenRequest =
  | {
      grantType: 'password';
      username: string;
      password: string;
      scope?: string;
    }
  | { grantType: 'refresh_token'; refreshToken: string; scope?: string }
  | {
      grantType: typeof MFA_OTP_GRANT;
      mfaToken: string;
      proof: SecondFactorProof;
    };

/**
 * The follow-up grant of a password grant answered with `mfa_required` (Auth0's `mfa-otp` grant
 * under Warden's own URN, as RFC 6749 §4.5 asks of extension grants).
 */
export const MFA_OTP_GRANT = 'urn:warden:params:oauth:grant-type:mfa-otp';
export const SUPPORTED_GRANT_TYPES = [
  'password',
  'refresh_token',
  MFA_OTP_GRANT,
] as const;

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Reads an RFC 6749 token request. The body must be form-encoded (§4.3.2); a parameter that is
 * empty counts as omitted and one sent twice is `invalid_request` (§3.2); parameters the grant
 * does not use are ignored.
 */
export function parseTokenRequest(
  contentType: string | undefined,
  body: unknown,
): TokenRequest {
  const params = formParams(contentType, body, 'The token endpoint');
  const grantType = readParam(params, 'grant_type');
  const scope = readParam(params, 'scope');
  switch (grantType) {
    case undefined:
      throw new OAuthException('invalid_request', 'grant_type is required');
    case 'password':
      return {
        grantType,
        username: requireParam(params, 'username'),
        password: requireParam(params, 'password'),
        scope,
      };
    case 'refresh_token':
      return {
        grantType,
        refreshToken: requireParam(params, 'refresh_token'),
        scope,
      };
    case MFA_OTP_GRANT:
      return {
        grantType,
        mfaToken: requireParam(params, 'mfa_token'),
        proof: secondFactorParam(params),
      };
    default:
      throw new OAuthException(
        'unsupported_grant_type',
        `Supported grant types: ${SUPPORTED_GRANT_TYPES.join(', ')}`,
      );
  }
}

/** `otp` (the authenticator's code) or `recovery_code`, exactly one. */
function secondFactorParam(params: Record<string, unknown>): SecondFactorProof {
  const otp = readParam(params, 'otp');
  const recoveryCode = readParam(params, 'recovery_code');
  if (otp !== undefined && recoveryCode === undefined) return { code: otp };
  if (recoveryCode !== undefined && otp === undefined) return { recoveryCode };
  throw new OAuthException(
    'invalid_request',
    'Send exactly one of otp and recovery_code',
  );
}

function readParam(
  params: Record<string, unknown>,
  name: string,
): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new OAuthException(
      'invalid_request',
      `${name} must be sent exactly once`,
    );
  }
  return value;
}

function requireParam(params: Record<string, unknown>, name: string): string {
  const value = readParam(params, name);
  if (value === undefined) {
    throw new OAuthException('invalid_request', `${name} is required`);
  }
  return value;
}

/** RFC 7009 §2.1: `token` is required; `token_type_hint` only orders the search, so it is ignored. */
export function parseRevocationRequest(
  contentType: string | undefined,
  body: unknown,
): string {
  return requireParam(
    formParams(contentType, body, 'The revocation endpoint'),
    'token',
  );
}

/** The parameters of a form-encoded body (RFC 6749 §4.3.2, RFC 7009 §2.1), or invalid_request. */
function formParams(
  contentType: string | undefined,
  body: unknown,
  endpoint: string,
): Record<string, unknown> {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (
    mediaType !== FORM_CONTENT_TYPE ||
    typeof body !== 'object' ||
    body === null
  ) {
    throw new OAuthException(
      'invalid_request',
      `${endpoint} accepts ${FORM_CONTENT_TYPE} bodies only`,
    );
  }
  return body as Record<string, unknown>;
}
