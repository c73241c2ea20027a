import { ConfigService } from '@nestjs/config';
import type { Settings } from '../config/settings.js';
import { Injectable } from '@nestjs/common';
import {
  clientScopesOf,
  effectiveScopes,
  tokenClaimScopes,
} from '../roles/roles.js';
import type { Scope } from '../roles/scopes.js';
import { SessionsService } from '../sessions/sessions.service.js';
import {
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import { UsersService } from '../users/users.service.js';
import {
  type ClientTokenClaims,
  isClientToken,
  type VerifiedClaims,
} from './access-token.service.js';
import type { ClientPrincipal, UserPrincipal } from '../access/principal.js';
import { ClientTokensService } from '../clients/client-tokens.service.js';
import type { User } from '../users/user.entity.js';
import type { TokenRequirements } from '../access/auth.decorator.js';
import { PASSWORD_SIGN_IN } from '../sessions/authentication.js';
import { SignInMethods } from '../credentials/sign-in-methods.service.js';
import {
  type AssuranceRequirement,
  hasSecondFactor,
  RECENT_SIGN_IN_SECONDS,
  SENSITIVE_ACTIONS,
} from '../access/sensitive-actions.js';

/**
 * Why a request was not authenticated, as RFC 6750 §3.1 tells them apart. `JwtAuthGuard` turns
 * each into its answer (`challengeFor`); the reasons of `invalid_token` are for logs and tests,
 * and only `expired` changes the message a client sees.
 */
export type BearerFailure =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | {
      kind: 'invalid_token';
      reason:
        | 'expired'
        | 'invalid'
        | 'account_inactive'
        | 'session_ended'
        | 'revoked'
        | 'dpop_bound'
        | 'not_dpop_bound';
    }
  /** RFC 9449 §7.1: the DPoP proof is missing or invalid. */
  | { kind: 'invalid_dpop_proof'; reason: string }
  /** RFC 9449 §9: the proof must carry this server's current nonce. */
  | { kind: 'use_dpop_nonce'; reason: string; nonce: string }
  /** A machine client's own token on a route that acts for a user. */
  | { kind: 'user_required'; clientId: string }
  /** `who`: `user <id>` or `client <client_id>`, for the security log. */
  | { kind: 'insufficient_scope'; required: readonly Scope[]; who: string }
  | {
      kind: 'insufficient_user_authentication';
      userId: string;
      need: StepUpNeed;
    };

/** What a sign-in lacks for a step-up route: a second factor, or being recent enough. */
export type StepUpNeed = { secondFactor: true } | { maxAgeSeconds: number };

export type BearerAuthentication =
  | { ok: true; principal: UserPrincipal; account: User }
  | { ok: true; principal: ClientPrincipal; account: null }
  | { ok: false; failure: BearerFailure };

export const invalidToken = (
  reason: Extract<BearerFailure, { kind: 'invalid_token' }>['reason'],
): BearerAuthentication => ({
  ok: false,
  failure: { kind: 'invalid_token', reason },
});

/**
 * From a verified access token to a `Principal`, for every protected route (`JwtStrategy` reads
 * the header and has the token verified): the account (`isActiveAccount`), the session, the
 * scopes the route needs, and the assurance of a sensitive action. The user and session lookups
 * are memory hits for a warm user.
 */
@Injectable()
export class BearerAuthenticationService {
  private readonly requireVerifiedEmail: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly signInMethods: SignInMethods,
    private readonly clientTokens: ClientTokensService,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
  }

  /** `body`: the request's parsed body, for an action that is sensitive only with some fields. */
  async principalFor(
    claims: VerifiedClaims,
    requirements: TokenRequirements,
    body?: unknown,
  ): Promise<BearerAuthentication> {
    if (isClientToken(claims))
      return this.clientPrincipalFor(claims, requirements.clientScopes);
    const user = await this.users.findByIdCached(claims.sub);
    if (!isActiveAccount(user, this.requireVerifiedEmail))
      return invalidToken('account_inactive');
    if (!(await this.sessions.isActive(claims.sid, claims.sub)))
      return invalidToken('session_ended');
    const principal: UserPrincipal = {
      kind: 'user',
      userId: user.id,
      sessionId: claims.sid,
      tokenId: claims.jti,
      scopes: effectiveScopes(claims.scope, user.roles),
      expiresAt: claims.exp,
      amr: claims.amr ?? PASSWORD_SIGN_IN,
      authTime: claims.auth_time ?? claims.iat,
      clientId: claims.client_id ?? null,
      claimScopes: tokenClaimScopes(claims.scope),
    };
    const { scopes, sensitive } = requirements;
    if (!scopes.every((scope) => principal.scopes.has(scope))) {
      return {
        ok: false,
        failure: {
          kind: 'insufficient_scope',
          required: scopes,
          who: `user ${user.id}`,
        },
      };
    }
    const weak =
      sensitive &&
      (await this.assuranceLacking(
        principal,
        user,
        SENSITIVE_ACTIONS[sensitive],
        body,
      ));
    if (weak) return { ok: false, failure: weak };
    return { ok: true, principal, account: user };
  }

  /**
   * A client's own token: refused where the route serves users only, else it must still be
   * recorded and unrevoked (on every instance: `ClientTokensService`) and carry the route's
   * client scopes. No step-up applies: nobody signed in.
   */
  private async clientPrincipalFor(
    claims: ClientTokenClaims,
    required: readonly Scope[] | null,
  ): Promise<BearerAuthentication> {
    const clientId = claims.client_id;
    if (required === null)
      return { ok: false, failure: { kind: 'user_required', clientId } };
    if (!(await this.clientTokens.isActive(claims.jti, clientId)))
      return invalidToken('revoked');
    const principal: ClientPrincipal = {
      kind: 'client',
      clientId,
      tokenId: claims.jti,
      scopes: clientScopesOf(claims.scope),
      expiresAt: claims.exp,
    };
    if (!required.every((scope) => principal.scopes.has(scope)))
      return {
        ok: false,
        failure: {
          kind: 'insufficient_scope',
          required,
          who: `client ${clientId}`,
        },
      };
    return { ok: true, principal, account: null };
  }

  /** RFC 9470: what the sign-in behind this token lacks for a sensitive action, if anything. */
  private async assuranceLacking(
    principal: UserPrincipal,
    account: User,
    requirement: AssuranceRequirement,
    body: unknown,
  ): Promise<BearerFailure | null> {
    if (requirement.whenBodyHas && !hasTextField(body, requirement.whenBodyHas))
      return null;
    const lacking = (need: StepUpNeed): BearerFailure => ({
      kind: 'insufficient_user_authentication',
      userId: principal.userId,
      need,
    });
    // The amr is checked first: a sign-in with a second factor needs no lookup of the account's.
    if (
      requirement.secondFactor &&
      !hasSecondFactor(principal.amr) &&
      (await this.signInMethods.hasSecondFactor(account))
    )
      return lacking({ secondFactor: true });
    if (
      requirement.recent &&
      Date.now() / 1000 - principal.authTime > RECENT_SIGN_IN_SECONDS
    )
      return lacking({ maxAgeSeconds: RECENT_SIGN_IN_SECONDS });
    return null;
  }
}

const hasTextField = (body: unknown, field: string): boolean =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Record<string, unknown>)[field] === 'string';
