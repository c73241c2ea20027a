import { Injectable, Logger } from '@nestjs/common';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserDto } from '../users/dto/user.dto.js';
import {
  accountStatus,
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import { AccountService } from '../users/account.service.js';
import { ConfigService } from '@nestjs/config';
import type { Config } from '../config/environment.js';
import {
  accountLockedException,
  LoginAttemptsService,
  passwordClearsFailures,
} from '../users/login-attempts.service.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import type { User } from '../users/user.entity.js';
import { normalizeIdentifier } from '../users/identifiers.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokenService } from './access-token.service.js';
import type { SignupDto } from './dto/signup.dto.js';
import type {
  PendingSignupResponseDto,
  SignupResponseDto,
  TokenResponseDto,
} from './dto/token-response.dto.js';
import { OAuthException } from './oauth.exception.js';
import type { ClientInfo } from '../common/client-info.js';
import type { UserPrincipal } from '../access/principal.js';
import { grantedScopes } from '../roles/roles.js';
import { grantableScopes, type Scope } from '../roles/scopes.js';
import { MFA_OTP_GRANT, type TokenRequest } from './oauth-requests.js';
import { MfaRequiredException } from './mfa-required.exception.js';
import { MfaService, type SecondFactorProof } from '../mfa/mfa.service.js';
import { MfaTokensService } from '../mfa/mfa-tokens.service.js';
import {
  type PasskeySignIn,
  PasskeysService,
} from '../passkeys/passkeys.service.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  type Authentication,
  type AuthMethod,
  PASSWORD_SIGN_IN,
} from '../sessions/authentication.js';
import type { Session } from '../sessions/session.entity.js';

const MAX_PASSWORD_LENGTH = 128;

export const EMAIL_NOT_VERIFIED_MESSAGE =
  'The email address is not verified yet: use the link mailed to it (POST /auth/email/verify/resend sends a new one)';

/** What a password login presents. */
export interface LoginCredentials {
  identifier: string;
  password: string;
}

/** The verdict of `authenticate()`; callers turn everything but `ok` into their own error. */
export type LoginResult =
  | { outcome: 'ok'; user: User }
  | { outcome: 'invalid_credentials' }
  | { outcome: 'disabled' }
  | { outcome: 'unverified' }
  | { outcome: 'locked'; retryAfterSeconds: number };

/** Why a second factor did not complete a login; callers give each its own answer. */
export type MfaLoginFailure =
  | { outcome: 'invalid_mfa_token' }
  | { outcome: 'invalid_code' }
  | { outcome: 'locked'; retryAfterSeconds: number };

const PASSWORD_AND_CODE: AuthMethod[] = ['pwd', 'otp', 'mfa'];

const MFA_REQUIRED_GRANT_MESSAGE = `A second factor is required: send mfa_token with otp (or recovery_code), grant_type=${MFA_OTP_GRANT}`;

export type RefreshOutcome =
  | { ok: true; tokens: TokenResponseDto }
  | {
      ok: false;
      error: 'invalid_grant' | 'invalid_scope';
      description: string;
    };

/** Signup, credential checks, the token grants, and ending sessions. */
@Injectable()
export class AuthService {
  private readonly securityLog = new Logger('Security');
  private readonly requireVerifiedEmail: boolean;

  constructor(
    private readonly loginAttempts: LoginAttemptsService,
    private readonly users: UsersService,
    private readonly account: AccountService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly mfa: MfaService,
    private readonly mfaTokens: MfaTokensService,
    private readonly passkeys: PasskeysService,
    config: ConfigService<Config, true>,
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
    const tokens = await this.startSession(
      user,
      [...grantedScopes(user.roles)],
      client,
      PASSWORD_SIGN_IN,
    );
    return { ...tokens, user: UserDto.from(user) };
  }

  /**
   * The one login pipeline (`/auth/login` through `LocalStrategy`, and the password grant):
   * whether these credentials sign in, and if not, why. Unknown users, wrong passwords and
   * disabled accounts take the same time (a dummy hash is verified for unknown users); callers
   * give the first three the same answer. Every check spends from the account's budget
   * (`LoginAttemptsService`): once it is spent the result is `locked` before any password is
   * hashed, known account or not. A hash made with older settings is upgraded on success. When
   * the account has a second factor, a right password does not reset the count
   * (`passwordClearsFailures`); the second factor does.
   */
  async authenticate(
    credentials: LoginCredentials,
    client: ClientInfo,
  ): Promise<LoginResult> {
    const { identifier, password } = credentials;
    const user = await this.users.findByLogin(identifier);
    const status = accountStatus(user, this.requireVerifiedEmail);
    const account = user
      ? `user:${user.id}`
      : `login:${normalizeIdentifier(identifier)}`;
    let passwordMatches = false;
    const attempt = await this.loginAttempts.check(
      account,
      client.ip,
      async () => {
        passwordMatches =
          [...password].length <= MAX_PASSWORD_LENGTH &&
          (user
            ? await this.hasher.verify(user.passwordHash, password)
            : await this.hasher.verifyAgainstDummy(password));
        // A right password for a disabled account still counts as a failure; an unverified
        // one has proved its password and is only told to verify.
        return passwordMatches && status !== 'disabled';
      },
      { keepCount: !passwordClearsFailures(user) },
    );
    if (attempt.locked)
      return {
        outcome: 'locked',
        retryAfterSeconds: attempt.retryAfterSeconds,
      };
    if (!user || !attempt.valid) {
      this.securityLog.warn(
        `login failed: user ${user?.id ?? 'unknown'}, ip ${client.ip}`,
      );
      return passwordMatches && status === 'disabled'
        ? { outcome: 'disabled' }
        : { outcome: 'invalid_credentials' };
    }
    if (status === 'unverified') return { outcome: 'unverified' };
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(
        user.id,
        await this.hasher.hash(password),
      );
    }
    return { outcome: 'ok', user };
  }

  /**
   * `POST /auth/login`, after `LocalAuthGuard` has verified the password: tokens, or a 401
   * `mfa_required` with the `mfa_token` that `completeMfaLogin` takes.
   */
  async login(user: User, client: ClientInfo): Promise<TokenResponseDto> {
    const scopes = [...grantedScopes(user.roles)];
    if (this.mfa.requiredFor(user))
      throw new MfaRequiredException(
        await this.mfaTokens.issue(user.id, scopes.join(' ')),
      );
    return this.startSession(user, scopes, client, PASSWORD_SIGN_IN);
  }

  /**
   * The second step of a password login (`POST /auth/mfa/verify`, the mfa-otp grant): the code
   * is checked against the account's budget like a password; a wrong one leaves the `mfa_token`
   * usable, a right one spends it (once, whatever runs in parallel) and starts the session.
   */
  async completeMfaLogin(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<TokenResponseDto | MfaLoginFailure> {
    const pending = await this.mfaTokens.peek(mfaToken);
    const user = pending ? await this.users.findById(pending.userId) : null;
    if (!pending || !user) return { outcome: 'invalid_mfa_token' };
    const check = await this.mfa.check(user, proof, client);
    if (check.outcome === 'locked') return check;
    if (check.outcome === 'invalid') {
      this.securityLog.warn(
        `second factor failed: user ${user.id}, ip ${client.ip}`,
      );
      return { outcome: 'invalid_code' };
    }
    // The account may have been disabled, or MFA turned off, since the password was checked.
    if (
      !(await this.mfaTokens.consume(mfaToken)) ||
      !isActiveAccount(user, this.requireVerifiedEmail)
    )
      return { outcome: 'invalid_mfa_token' };
    const scopes = grantableScopes(grantedScopes(user.roles), pending.scope);
    return this.startSession(user, scopes ?? [], client, PASSWORD_AND_CODE);
  }

  /** `POST /auth/token` (RFC 6749 §4.3 and §6). */
  async grant(
    request: TokenRequest,
    client: ClientInfo,
  ): Promise<TokenResponseDto> {
    if (request.grantType === MFA_OTP_GRANT) {
      const outcome = await this.completeMfaLogin(
        request.mfaToken,
        request.proof,
        client,
      );
      if (!('outcome' in outcome)) return outcome;
      if (outcome.outcome === 'locked')
        throw accountLockedException(outcome.retryAfterSeconds);
      throw new OAuthException(
        'invalid_grant',
        outcome.outcome === 'invalid_code'
          ? 'The code is incorrect or already used'
          : 'The mfa_token is invalid, expired or already used: sign in again',
      );
    }
    if (request.grantType === 'refresh_token') {
      const outcome = await this.refresh(
        request.refreshToken,
        request.scope,
        client,
      );
      if (outcome.ok) return outcome.tokens;
      throw new OAuthException(outcome.error, outcome.description);
    }
    const result = await this.authenticate(
      { identifier: request.username, password: request.password },
      client,
    );
    if (result.outcome === 'locked')
      throw accountLockedException(result.retryAfterSeconds);
    if (result.outcome === 'unverified')
      throw new OAuthException('invalid_grant', EMAIL_NOT_VERIFIED_MESSAGE);
    if (result.outcome !== 'ok')
      throw new OAuthException('invalid_grant', 'Invalid username or password');
    const { user } = result;
    const granted = grantedScopes(user.roles);
    const scopes = grantableScopes(granted, request.scope);
    if (!scopes) {
      throw new OAuthException(
        'invalid_scope',
        `Requested scope is unknown, or none of it can be granted; available: ${[...granted].join(' ')}`,
      );
    }
    if (this.mfa.requiredFor(user)) {
      throw new OAuthException('invalid_grant', MFA_REQUIRED_GRANT_MESSAGE, {
        mfa_required: true,
        mfa_token: await this.mfaTokens.issue(user.id, scopes.join(' ')),
      });
    }
    return this.startSession(user, scopes, client, PASSWORD_SIGN_IN);
  }

  /**
   * `POST /auth/passkeys/login/verify`: a verified passkey assertion (user verification
   * included, so no second factor is asked) signs its user in; null when it does not. An
   * assertion for a registered passkey names its account, so it spends from that account's
   * budget like a password (a locked account answers 429); one for no passkey spends only the
   * per-IP budget of the route.
   */
  async signInWithPasskey(
    response: AuthenticationResponseJSON,
    client: ClientInfo,
  ): Promise<TokenResponseDto | null> {
    const passkey = await this.passkeys.claimedBy(response);
    if (!passkey) return null;
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
    if (attempt.locked) throw accountLockedException(attempt.retryAfterSeconds);
    const { verified } = assertion;
    const user = verified ? await this.users.findById(verified.userId) : null;
    if (!verified || !user || !isActiveAccount(user, this.requireVerifiedEmail))
      return null;
    return this.startSession(
      user,
      [...grantedScopes(user.roles)],
      client,
      verified.amr,
      verified.passkeyId,
    );
  }

  /** Rotates a refresh token (RFC 6749 §6); see `SessionsService.rotate`. */
  async refresh(
    refreshToken: string,
    scope: string | undefined,
    client: ClientInfo,
  ): Promise<RefreshOutcome> {
    const rotation = await this.sessions.rotate(refreshToken, client, scope);
    if (!rotation.ok) {
      return rotation.reason === 'invalid-scope'
        ? {
            ok: false,
            error: 'invalid_scope',
            description: 'The requested scope exceeds the granted scope',
          }
        : {
            ok: false,
            error: 'invalid_grant',
            description: 'The refresh token is invalid, expired or revoked',
          };
    }
    return {
      ok: true,
      tokens: this.tokenResponse(
        rotation.user,
        rotation.session,
        rotation.scopes,
        rotation.refreshToken,
      ),
    };
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
   * one, possession of the token is the authority, as it would be to use it.
   */
  async revoke(token: string, caller: UserPrincipal | null): Promise<void> {
    const session = await this.sessions.findByRefreshToken(token);
    const target = session
      ? { sessionId: session.id, userId: session.userId }
      : this.sessionOfAccessToken(token);
    if (!target || (caller && caller.userId !== target.userId)) return;
    await this.sessions.endSession(target.sessionId, 'revoked');
  }

  private sessionOfAccessToken(
    token: string,
  ): { sessionId: string; userId: string } | null {
    const check = this.accessTokens.verify(token);
    return check.valid
      ? { sessionId: check.claims.sid, userId: check.claims.sub }
      : null;
  }

  /** A new session for a user who has just signed in with `amr` (and a passkey), and its tokens. */
  async startSession(
    user: User,
    scopes: Scope[],
    client: ClientInfo,
    amr: readonly AuthMethod[],
    passkeyId?: string,
  ): Promise<TokenResponseDto> {
    const { session, refreshToken } = await this.sessions.start(
      user,
      scopes.join(' '),
      client,
      { amr, time: new Date(), passkeyId },
    );
    this.securityLog.log(
      `login: user ${user.id} session ${session.id} (${amr.join(' ')}) ip ${client.ip}`,
    );
    return this.tokenResponse(user, session, scopes, refreshToken);
  }

  private tokenResponse(
    user: User,
    session: Session,
    scopes: Scope[],
    refreshToken: string,
  ): TokenResponseDto {
    const authentication: Authentication = {
      amr: session.amr.split(' ') as AuthMethod[],
      time: session.authTime,
    };
    return {
      access_token: this.accessTokens.issue(
        user.id,
        session.id,
        scopes,
        authentication,
      ),
      token_type: 'bearer',
      expires_in: this.accessTokens.ttlSeconds,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }
}
