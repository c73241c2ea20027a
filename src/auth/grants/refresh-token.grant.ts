import { Injectable } from '@nestjs/common';
import type { ClientInfo } from '../../common/client-info.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import type { OAuthParams } from '../oauth-requests.js';
import { isFailure, SessionTokens } from '../session-tokens.service.js';
import { signInOAuthError } from '../sign-in-outcomes.js';
import type { TokenGrant } from './token-grant.js';

/** RFC 6749 §6: `refresh_token`, and an optional `scope` no wider than the session's. */
@Injectable()
export class RefreshTokenGrant implements TokenGrant {
  static readonly grantType = 'refresh_token';

  constructor(private readonly sessionTokens: SessionTokens) {}

  async grant(
    params: OAuthParams,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const result = await this.sessionTokens.rotate(
      params.required('refresh_token'),
      params.optional('scope'),
      client,
    );
    if (isFailure(result)) throw signInOAuthError(result);
    return result;
  }
}
