import { Injectable } from '@nestjs/common';
import { grantedScopes } from '../../roles/roles.js';
import { grantableScopes } from '../../roles/scopes.js';
import { PASSWORD_SIGN_IN } from '../../sessions/authentication.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { MfaSignIn } from '../mfa-sign-in.service.js';
import { PasswordSignIn } from '../password-sign-in.service.js';
import { SessionTokens } from '../session-tokens.service.js';
import { signInOAuthError } from '../sign-in-outcomes.js';
import type { TokenGrant, TokenRequest } from './token-grant.js';

/** RFC 6749 §4.3: `username` (or an email address), `password`, and an optional `scope`. */
@Injectable()
export class PasswordGrant implements TokenGrant {
  static readonly grantType = 'password';

  constructor(
    private readonly passwords: PasswordSignIn,
    private readonly mfaSignIn: MfaSignIn,
    private readonly sessionTokens: SessionTokens,
  ) {}

  async grant({
    params,
    client,
    dpopJkt,
  }: TokenRequest): Promise<TokenResponseDto> {
    const username = params.required('username');
    const password = params.required('password');
    const scope = params.optional('scope');
    const result = await this.passwords.check(
      { identifier: username, password },
      client,
    );
    if (result.outcome !== 'ok') throw signInOAuthError(result);
    const { user } = result;
    const granted = grantedScopes(user.roles);
    const scopes = grantableScopes(granted, scope);
    if (!scopes)
      throw signInOAuthError({
        outcome: 'invalid_scope',
        available: [...granted],
      });
    const secondStep = await this.mfaSignIn.challenge(user, scopes);
    if (secondStep) throw signInOAuthError(secondStep);
    return this.sessionTokens.start(
      user,
      scopes,
      client,
      PASSWORD_SIGN_IN,
      undefined,
      dpopJkt,
    );
  }
}
