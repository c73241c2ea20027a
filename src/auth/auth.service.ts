import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { UserPrincipal } from '../access/principal.js';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import type { SecondFactorProof } from '../mfa/mfa.service.js';
import {
  type PasskeySignIn,
  PasskeysService,
} from '../passkeys/passkeys.service.js';
import { grantedScopes } from '../roles/roles.js';
import { PASSWORD_SIGN_IN } from '../sessions/authentication.js';
import { SessionsService } from '../sessions/sessions.service.js';
import {
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import { AccountService } from '../users/account.service.js';
import { UserDto } from '../users/dto/user.dto.js';
import { LoginAttemptsService } from '../users/login-attempts.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokenService, isClientToken } from './access-token.service.js';
import { ClientTokensService } from '../clients/client-tokens.service.js';
import type { SignupDto } from './dto/signup.dto.js';
import type {
  PendingSignupResponseDto,
  SignupResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { MfaSignIn } from './mfa-sign-in.service.js';
import { isFailure, SessionTokens } from './session-tokens.service.js';
import { type SignInFailure, signInProblem } from './sign-in-outcomes.js';

/**
 * The sign-in routes outside the token endpoint (whose grants are `grants/`): signup, the second
 * step of a login, passkey sign-in, refresh, logout and revocation.
 */
@Injectable()
export class AuthService {
  private readonly requireVerifiedEmail: boolean;

  constructor(
    private readonly loginAttempts: LoginAttemptsService,
    private readonly users: UsersService,
    private readonly account: AccountService,
    private readonly sessions: SessionsService,
    private readonly sessionTokens: SessionTokens,
    private readonly mfaSignIn: MfaSignIn,
    private readonly accessTokens: AccessTokenService,
    private readonly passkeys: PasskeysService,
    private readonly clientTokens: ClientTokensService,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
  }

  /**
   * Creates the account (and mails its verification link) and signs in, except under
   * EMAIL_VERIFICATION=required, where tokens wait for the link to be used.
   */
  async signup(
    dto: SignupDto,
    client: ClientInfo,
  ): Promise<SignupResponseDto | PendingSignupResponseDto> {
    const user = await this.account.signUp({
      ...dto,
      fullName: dto.fullName ?? dto.fullname,
    });
    if (this.requireVerifiedEmail)
      return { user: UserDto.from(user), verification_required: true };
    const tokens = await this.sessionTokens.start(
      user,
      [...grantedScopes(user.roles)],
      client,
      PASSWORD_SIGN_IN,
    );
    return { ...tokens, user: UserDto.from(user) };
  }

  /**
   * `POST /auth/login`, after `LocalAuthGuard` has verified the password: tokens, or a 401
   * `mfa_required` with the `mfa_token` that `verifyMfa` takes.
   */
  async login(user: User, client: ClientInfo): Promise<TokenResponseDto> {
    const scopes = [...grantedScopes(user.roles)];
    const secondStep = await this.mfaSignIn.challenge(user, scopes);
    if (secondStep) throw signInProblem(secondStep);
    return this.sessionTokens.start(user, scopes, client, PASSWORD_SIGN_IN);
  }

  /** `POST /auth/mfa/verify`: the second step of a login answered with `mfa_required`. */
  async verifyMfa(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const result = await this.mfaSignIn.complete(mfaToken, proof, client);
    if (isFailure(result)) throw signInProblem(result);
    return result;
  }

  /** `POST /auth/refresh`: the refresh grant for JSON clients, with problem-details errors. */
  async refresh(
    refreshToken: string,
    scope: string | undefined,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const result = await this.sessionTokens.rotate(refreshToken, scope, client);
    if (isFailure(result)) throw signInProblem(result);
    return result;
  }

  /**
   * `POST /auth/passkeys/login/verify`: a verified passkey assertion (user verification
   * included, so no second factor is asked) signs its user in. An assertion for a registered
   * passkey names its account, so it spends from that account's budget like a password (a
   * locked account answers 429); one for no passkey spends only the per-IP budget of the route.
   */
  async signInWithPasskey(
    response: AuthenticationResponseJSON,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const result = await this.verifyPasskey(response, client);
    if ('outcome' in result) throw signInProblem(result);
    const { user, verified } = result;
    return this.sessionTokens.start(
      user,
      [...grantedScopes(user.roles)],
      client,
      verified.amr,
      verified.passkeyId,
    );
  }

  /**
   * The user a passkey assertion signs in, and how; or why not. Shared by the JSON route and the
   * hosted sign-in page.
   */
  async verifyPasskey(
    response: AuthenticationResponseJSON,
    client: ClientInfo,
  ): Promise<{ user: User; verified: PasskeySignIn } | SignInFailure> {
    const passkey = await this.passkeys.claimedBy(response);
    if (!passkey) return { outcome: 'passkey_failed' };
    const assertion: { verified: PasskeySignIn | null } = { verified: null };
    const attempt = await this.loginAttempts.check(
      `user:${passkey.userId}`,
      client.ip,
      async () => {
        assertion.verified = await this.passkeys.verifyAssertion(
          passkey,
          response,
        );
        return assertion.verified !== null;
      },
    );
    if (attempt.locked)
      return {
        outcome: 'locked',
        retryAfterSeconds: attempt.retryAfterSeconds,
      };
    const { verified } = assertion;
    const user = verified ? await this.users.findById(verified.userId) : null;
    if (!verified || !user || !isActiveAccount(user, this.requireVerifiedEmail))
      return { outcome: 'passkey_failed' };
    return { user, verified };
  }

  /**
   * Ends the session of a refresh token, or else that of the caller's access token. A refresh
   * token that is unknown, or (with a bearer token) another user's, ends nothing of its own, as
   * in `revoke`; the caller is logged out either way.
   */
  async logout(
    refreshToken: string | undefined,
    principal: UserPrincipal | null,
  ): Promise<void> {
    const session = refreshToken
      ? await this.sessions.findByRefreshToken(refreshToken)
      : null;
    if (session && (!principal || session.userId === principal.userId))
      await this.sessions.endSession(session.id, 'logout');
    else if (principal)
      await this.sessions.endSession(principal.sessionId, 'logout');
  }

  async logoutEverywhere(principal: UserPrincipal): Promise<void> {
    await this.sessions.endAllForUser(principal.userId, 'logout-all');
  }

  /**
   * RFC 7009 revocation: a refresh token or an access token (the hint only orders the search)
   * ends its session. With a bearer token, only the caller's own tokens are revoked; without
   * one, possession of the token is the authority, as it would be to use it. A token issued to a
   * registered client is revoked by that client only, authenticated as it registered (§2.1),
   * and so is a client's own token (client credentials); another client's request revokes
   * nothing and is answered 200 all the same (§2.2).
   */
  async revoke(
    token: string,
    caller: UserPrincipal | null,
    authenticateClient: () => Promise<string>,
  ): Promise<void> {
    const session = await this.sessions.findByRefreshToken(token);
    const check = session ? null : this.accessTokens.verify(token);
    const claims = check?.valid ? check.claims : null;
    if (claims && isClientToken(claims)) {
      if (!caller && (await authenticateClient()) === claims.client_id)
        await this.clientTokens.revoke(claims.jti, claims.client_id);
      return;
    }
    const target = session
      ? {
          sessionId: session.id,
          userId: session.userId,
          clientId: session.clientId,
        }
      : claims && {
          sessionId: claims.sid,
          userId: claims.sub,
          clientId: claims.client_id ?? null,
        };
    if (!target || (caller && caller.userId !== target.userId)) return;
    if (
      target.clientId !== null &&
      (await authenticateClient()) !== target.clientId
    )
      return;
    await this.sessions.endSession(target.sessionId, 'revoked');
  }
}
