import { Injectable } from '@nestjs/common';
import { AuthorizationCodesService } from '../../authorization/authorization-codes.service.js';
import { UsersService } from '../../users/users.service.js';
import { ClientAuthentication } from '../client-authentication.service.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { OAuthException } from '../oauth.exception.js';
import {
  requireDpopIfRegistered,
  SessionTokens,
} from '../session-tokens.service.js';
import type { TokenGrant, TokenRequest } from './token-grant.js';

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5): `code`, `redirect_uri` and `code_verifier`, from
 * the client the code was issued to (authenticated as it registered). Every refusal of the code
 * itself is `invalid_grant`; a code that comes back after it was used ends what it issued.
 */
@Injectable()
export class AuthorizationCodeGrant implements TokenGrant {
  static readonly grantType = 'authorization_code';

  constructor(
    private readonly clientAuthentication: ClientAuthentication,
    private readonly codes: AuthorizationCodesService,
    private readonly users: UsersService,
    private readonly sessionTokens: SessionTokens,
  ) {}

  async grant(request: TokenRequest): Promise<TokenResponseDto> {
    const { params, client, authorization, dpopJkt } = request;
    const registered = await this.clientAuthentication.authenticateFor(
      'authorization_code',
      params,
      authorization,
      client,
    );
    requireDpopIfRegistered(registered, dpopJkt);
    const redemption = await this.codes.redeem(
      {
        code: params.required('code'),
        clientId: registered.clientId,
        redirectUri: params.optional('redirect_uri'),
        codeVerifier: params.optional('code_verifier'),
        // RFC 9449 §5: a public client's refresh tokens are bound to its key; a confidential
        // client's are bound by its authentication.
        dpopJkt: registered.tokenEndpointAuthMethod === 'none' ? dpopJkt : null,
      },
      client,
    );
    if (!redemption.ok)
      throw new OAuthException('invalid_grant', redemption.reason);
    const user = await this.users.findById(redemption.session.userId);
    if (!user) throw new OAuthException('invalid_grant', 'The user is gone');
    return this.sessionTokens.forClientSession(
      user,
      redemption.session,
      redemption.refreshToken,
      redemption.nonce,
      registered.idTokenSignedResponseAlg,
      dpopJkt,
    );
  }
}
