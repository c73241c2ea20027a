import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import { ClientTokensService } from '../clients/client-tokens.service.js';
import { effectiveScopes, tokenClaimScopes } from '../roles/roles.js';
import { SessionsService } from '../sessions/sessions.service.js';
import {
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import { UsersService } from '../users/users.service.js';
import {
  AccessTokenService,
  type AccessTokenClaims,
  type ClientTokenClaims,
  isClientToken,
} from './access-token.service.js';
import { ClientAuthentication } from './client-authentication.service.js';
import type { IntrospectionResponseDto } from './dto/introspection.dto.js';
import { invalidClient } from './oauth.exception.js';
import type { OAuthParams } from './oauth-requests.js';

const INACTIVE: IntrospectionResponseDto = { active: false };

/** RFC 9449 §6.2: a DPoP-bound token says so, with its key's thumbprint. */
const bindingOf = (
  claims: AccessTokenClaims | ClientTokenClaims,
): Pick<IntrospectionResponseDto, 'token_type' | 'cnf'> =>
  claims.cnf
    ? { token_type: 'DPoP', cnf: { jkt: claims.cnf.jkt } }
    : { token_type: 'Bearer' };

/**
 * RFC 7662 token introspection, for confidential clients registered with `allow_introspection`
 * (resource servers): any other caller is `invalid_client`, so the endpoint tells nobody else
 * whether a token is live. A token is active only while everything a protected route checks
 * holds: signature and expiry, its session (ended by logout or revocation on any instance: the
 * same cross-instance state as the bearer guard), its account, or a client token's row.
 */
@Injectable()
export class TokenIntrospection {
  private readonly securityLog = new Logger('Security');
  private readonly requireVerifiedEmail: boolean;
  private readonly issuer: string;
  private readonly audience: string;

  constructor(
    private readonly clientAuthentication: ClientAuthentication,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly clientTokens: ClientTokensService,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
    this.issuer = config.get('auth.JWT_ISSUER', { infer: true });
    this.audience = config.get('auth.JWT_AUDIENCE', { infer: true });
  }

  async introspect(
    params: OAuthParams,
    authorization: string | undefined,
    from: ClientInfo,
  ): Promise<IntrospectionResponseDto> {
    const caller = await this.clientAuthentication.authenticate(
      params,
      authorization,
      from,
    );
    if (!caller.allowIntrospection) {
      this.securityLog.warn(
        `introspection refused: client ${caller.clientId} is not allowed to introspect, ip ${from.ip}`,
      );
      throw invalidClient(
        'This client may not introspect tokens: register it with allow_introspection',
      );
    }
    const token = params.required('token');
    const refresh = await this.describeRefreshToken(token);
    if (refresh) return refresh;
    const check = this.accessTokens.verify(token);
    if (!check.valid) return INACTIVE;
    return isClientToken(check.claims)
      ? this.describeClientToken(check.claims)
      : this.describeUserToken(check.claims);
  }

  private async describeUserToken(
    claims: AccessTokenClaims,
  ): Promise<IntrospectionResponseDto> {
    const user = await this.users.findByIdCached(claims.sub);
    if (
      !isActiveAccount(user, this.requireVerifiedEmail) ||
      !(await this.sessions.isActive(claims.sid, claims.sub))
    )
      return INACTIVE;
    // What the token may still do: its API scopes that the user's roles grant today.
    const scope = [
      ...tokenClaimScopes(claims.scope),
      ...effectiveScopes(claims.scope, user.roles),
    ].join(' ');
    return {
      scope,
      ...(claims.client_id !== undefined && { client_id: claims.client_id }),
      username: user.username,
      ...this.accessTokenFields(claims),
      sid: claims.sid,
    };
  }

  /** Read from the database, not the cache: introspection is where revocation must show at once. */
  private async describeClientToken(
    claims: ClientTokenClaims,
  ): Promise<IntrospectionResponseDto> {
    const state = await this.clientTokens.activeState(claims.jti);
    if (!state || state.clientId !== claims.client_id) return INACTIVE;
    return {
      scope: state.scope,
      client_id: claims.client_id,
      ...this.accessTokenFields(claims),
    };
  }

  /** What every active access token's answer says, a user's or a client's own. */
  private accessTokenFields(
    claims: AccessTokenClaims | ClientTokenClaims,
  ): IntrospectionResponseDto {
    return {
      active: true,
      ...bindingOf(claims),
      exp: claims.exp,
      iat: claims.iat,
      sub: claims.sub,
      aud: this.audience,
      iss: this.issuer,
      jti: claims.jti,
    };
  }

  private async describeRefreshToken(
    token: string,
  ): Promise<IntrospectionResponseDto | null> {
    const session = await this.sessions.findByUsableRefreshToken(token);
    if (!session) return null;
    const user = await this.users.findByIdCached(session.userId);
    if (!isActiveAccount(user, this.requireVerifiedEmail)) return INACTIVE;
    const expires = Math.min(
      session.idleExpiresAt.getTime(),
      session.absoluteExpiresAt.getTime(),
    );
    return {
      active: true,
      scope: session.scope,
      ...(session.clientId !== null && { client_id: session.clientId }),
      username: user.username,
      token_type: 'refresh_token',
      exp: Math.floor(expires / 1000),
      sub: session.userId,
      iss: this.issuer,
      sid: session.id,
    };
  }
}
