import { Injectable, Logger } from '@nestjs/common';
import { ClientTokensService } from '../../clients/client-tokens.service.js';
import { CLIENT_SCOPES, intersectScopes } from '../../roles/roles.js';
import { resolveScopes } from '../../roles/scopes.js';
import { AccessTokenService } from '../access-token.service.js';
import { ClientAuthentication } from '../client-authentication.service.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import { OAuthException } from '../oauth.exception.js';
import { requireDpopIfRegistered } from '../session-tokens.service.js';
import type { TokenGrant, TokenRequest } from './token-grant.js';

/**
 * RFC 6749 §4.4: a confidential client registered for it gets an access token for itself
 * (`sub` and `client_id` name it; no user, no session) and no refresh token (§4.4.3): it asks
 * again. `scope` may name only client scopes its registration holds (RFC 6749 §3.3: an unknown or
 * unregistered one is `invalid_scope`); without it, all of them.
 */
@Injectable()
export class ClientCredentialsGrant implements TokenGrant {
  static readonly grantType = 'client_credentials';
  private readonly securityLog = new Logger('Security');

  constructor(
    private readonly clientAuthentication: ClientAuthentication,
    private readonly accessTokens: AccessTokenService,
    private readonly clientTokens: ClientTokensService,
  ) {}

  async grant(request: TokenRequest): Promise<TokenResponseDto> {
    const { params, client, authorization, dpopJkt } = request;
    const registered = await this.clientAuthentication.authenticateFor(
      'client_credentials',
      params,
      authorization,
      client,
    );
    requireDpopIfRegistered(registered, dpopJkt);
    const available = intersectScopes(registered.scope, CLIENT_SCOPES);
    const scopes = resolveScopes(available, params.optional('scope'));
    if (scopes === null || scopes.length === 0)
      throw new OAuthException(
        'invalid_scope',
        available.size === 0
          ? `This client is registered for no scope a client's own token can carry (${[...CLIENT_SCOPES].join(' ')})`
          : `This client may ask for: ${[...available].join(' ')}`,
      );
    const issued = this.accessTokens.issueForClient(
      registered.clientId,
      scopes,
      dpopJkt,
    );
    await this.clientTokens.record(
      issued.id,
      registered.clientId,
      scopes.join(' '),
      issued.expiresAt,
    );
    this.securityLog.log(
      `client token issued: client ${registered.clientId}, scope ${scopes.join(' ')}, ip ${client.ip}`,
    );
    return {
      access_token: issued.token,
      token_type: dpopJkt === null ? 'bearer' : 'DPoP',
      expires_in: this.accessTokens.ttlSeconds,
      scope: scopes.join(' '),
    };
  }
}
