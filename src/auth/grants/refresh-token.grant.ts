import { Injectable } from '@nestjs/common';
import { ClientAuthentication } from '../client-authentication.service.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { isFailure, SessionTokens } from '../session-tokens.service.js';
import { signInOAuthError } from '../sign-in-outcomes.js';
import type { TokenGrant, TokenRequest } from './token-grant.js';

/**
 * RFC 6749 §6: `refresh_token`, and an optional `scope` no wider than the session's. A session
 * issued to a registered client is refreshed by that client only, authenticated as at the code
 * grant; a password-grant session needs no client.
 */
@Injectable()
export class RefreshTokenGrant implements TokenGrant {
  static readonly grantType = 'refresh_token';

  constructor(
    private readonly sessionTokens: SessionTokens,
    private readonly clientAuthentication: ClientAuthentication,
  ) {}

  async grant(request: TokenRequest): Promise<TokenResponseDto> {
    const { params, client, authorization, dpopJkt } = request;
    const result = await this.sessionTokens.rotate(
      params.required('refresh_token'),
      params.optional('scope'),
      client,
      () =>
        this.clientAuthentication.authenticate(params, authorization, client),
      dpopJkt,
    );
    if (isFailure(result)) throw signInOAuthError(result);
    return result;
  }
}
