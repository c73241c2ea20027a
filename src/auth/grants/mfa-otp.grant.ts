import { Injectable } from '@nestjs/common';
import type { SecondFactorProof } from '../../mfa/mfa.service.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { MfaSignIn } from '../mfa-sign-in.service.js';
import { OAuthException } from '../oauth.exception.js';
import type { OAuthParams } from '../oauth-requests.js';
import { isFailure } from '../session-tokens.service.js';
import { MFA_OTP_GRANT, signInOAuthError } from '../sign-in-outcomes.js';
import type { TokenGrant, TokenRequest } from './token-grant.js';

/**
 * The second step of a password grant answered with `mfa_required`: `mfa_token` and exactly one
 * of `otp` (the authenticator's code) and `recovery_code`.
 */
@Injectable()
export class MfaOtpGrant implements TokenGrant {
  static readonly grantType = MFA_OTP_GRANT;

  constructor(private readonly mfaSignIn: MfaSignIn) {}

  async grant({
    params,
    client,
    dpopJkt,
  }: TokenRequest): Promise<TokenResponseDto> {
    const mfaToken = params.required('mfa_token');
    const result = await this.mfaSignIn.complete(
      mfaToken,
      secondFactorProof(params),
      client,
      dpopJkt,
    );
    if (isFailure(result)) throw signInOAuthError(result);
    return result;
  }
}

function secondFactorProof(params: OAuthParams): SecondFactorProof {
  const otp = params.optional('otp');
  const recoveryCode = params.optional('recovery_code');
  if (otp !== undefined && recoveryCode === undefined) return { code: otp };
  if (recoveryCode !== undefined && otp === undefined) return { recoveryCode };
  throw new OAuthException(
    'invalid_request',
    'Send exactly one of otp and recovery_code',
  );
}
