import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../common/client-info.js';
import { grantedScopes, intersectScopes } from '../roles/roles.js';
import { claimScopesOf, type Scope } from '../roles/scopes.js';
import type { Authentication, AuthMethod } from '../sessions/authentication.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/user.entity.js';
import type { Client, IdTokenAlgorithm } from '../clients/client.entity.js';
import { AccessTokenService } from './access-token.service.js';
import { IdTokenService } from './id-token.service.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { SignInFailure } from './sign-in-outcomes.js';
import { OAuthException } from './oauth.exception.js';

/** Sessions as tokens: a new session for a sign-in, and a refresh token's rotation. */
@Injectable()
export class SessionTokens {
  private readonly securityLog = new Logger('Security');

  constructor(
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly idTokens: IdTokenService,
  ) {}

  /** A new session for a user who has just signed in with `amr` (and a passkey), and its tokens. */
  async start(
    user: User,
    scopes: Scope[],
    client: ClientInfo,
    amr: readonly AuthMethod[],
    passkeyId?: string,
    /** A DPoP proof's key: no client authenticates here, so the session is bound to it too. */
    dpopJkt: string | null = null,
  ): Promise<TokenResponseDto> {
    const { session, refreshToken } = await this.sessions.start(
      user,
      scopes.join(' '),
      client,
      { amr, time: new Date(), passkeyId },
      dpopJkt,
    );
    this.securityLog.log(
      `login: user ${user.id} session ${session.id} (${amr.join(' ')}) ip ${client.ip}`,
    );
    return this.tokenResponse(user, session, scopes, refreshToken, {
      dpopJkt,
    });
  }

  /**
   * Rotates a refresh token (RFC 6749 §6); see `SessionsService.rotate`. `authenticateClient`
   * is asked only for a session issued to a registered client, and must be that client (whose
   * ID-token algorithm the new ID token then uses).
   */
  async rotate(
    refreshToken: string,
    scope: string | undefined,
    client: ClientInfo,
    authenticateClient?: () => Promise<Client>,
    /** The key of the request's DPoP proof: the new access token is bound to it. */
    dpopJkt: string | null = null,
  ): Promise<TokenResponseDto | SignInFailure> {
    let idTokenAlgorithm: IdTokenAlgorithm = 'RS256';
    const rotation = await this.sessions.rotate(
      refreshToken,
      client,
      scope,
      authenticateClient &&
        (async () => {
          const registered = await authenticateClient();
          requireDpopIfRegistered(registered, dpopJkt);
          idTokenAlgorithm = registered.idTokenSignedResponseAlg;
          return registered.clientId;
        }),
      dpopJkt,
    );
    if (!rotation.ok)
      return {
        outcome:
          rotation.reason === 'invalid-scope'
            ? 'scope_exceeds_grant'
            : rotation.reason === 'dpop-key'
              ? 'dpop_key_mismatch'
              : 'invalid_refresh_token',
      };
    return this.tokenResponse(
      rotation.user,
      rotation.session,
      rotation.scopes,
      rotation.refreshToken,
      { idTokenAlgorithm, dpopJkt },
    );
  }

  /** Tokens for a session a redeemed authorization code started (`nonce`: the request's). */
  forClientSession(
    user: User,
    session: Session,
    refreshToken: string,
    nonce: string | null,
    idTokenAlgorithm: IdTokenAlgorithm,
    dpopJkt: string | null,
  ): TokenResponseDto {
    return this.tokenResponse(
      user,
      session,
      [...intersectScopes(session.scope, grantedScopes(user.roles))],
      refreshToken,
      { nonce, idTokenAlgorithm, dpopJkt },
    );
  }

  /**
   * The token response. A client's session that was granted `openid` gets an ID token with every
   * response, refreshes included (OpenID Connect Core §12.2; only the first carries the nonce).
   */
  private tokenResponse(
    user: User,
    session: Session,
    apiScopes: Scope[],
    refreshToken: string,
    {
      nonce = null,
      idTokenAlgorithm = 'RS256',
      dpopJkt = null,
    }: {
      nonce?: string | null;
      idTokenAlgorithm?: IdTokenAlgorithm;
      /** Binds the access token to this DPoP key (`cnf.jkt`, `token_type: DPoP`). */
      dpopJkt?: string | null;
    } = {},
  ): TokenResponseDto {
    // OpenID's claim scopes ride along unchanged: they grant no access, only claims.
    const claimScopes = claimScopesOf(session.scope);
    const scopes = [...apiScopes, ...claimScopes];
    const authentication: Authentication = {
      amr: session.amr.split(' ') as AuthMethod[],
      time: session.authTime,
    };
    const accessToken = this.accessTokens.issue(
      user.id,
      session.id,
      scopes,
      authentication,
      session.clientId,
      dpopJkt,
    );
    return {
      access_token: accessToken,
      token_type: dpopJkt === null ? 'bearer' : 'DPoP',
      expires_in: this.accessTokens.ttlSeconds,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
      ...(session.clientId !== null && claimScopes.includes('openid')
        ? {
            id_token: this.idTokens.issue({
              user,
              session,
              claimScopes: new Set(claimScopes),
              accessToken,
              nonce,
              algorithm: idTokenAlgorithm,
            }),
          }
        : {}),
    };
  }
}

/**
 * RFC 9449 §5.2: a client registered with `dpop_bound_access_tokens` gets no token without a
 * DPoP proof, so none of its access tokens is ever a plain bearer token.
 */
export function requireDpopIfRegistered(
  client: Client,
  dpopJkt: string | null,
): void {
  if (client.dpopBoundAccessTokens && dpopJkt === null)
    throw new OAuthException(
      'invalid_dpop_proof',
      'This client is registered for DPoP-bound tokens only: send a DPoP proof',
    );
}

/** Whether a sign-in step ended in tokens or in one of the failures. */
export const isFailure = (
  result: TokenResponseDto | SignInFailure,
): result is SignInFailure => 'outcome' in result;
