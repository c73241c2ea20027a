import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import { MfaTokensService } from '../mfa/mfa-tokens.service.js';
import { MfaService, type SecondFactorProof } from '../mfa/mfa.service.js';
import { grantedScopes } from '../roles/roles.js';
import { grantableScopes, type Scope } from '../roles/scopes.js';
import type { AuthMethod } from '../sessions/authentication.js';
import {
  isActiveAccount,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import { SessionTokens } from './session-tokens.service.js';
import type { SignInFailure } from './sign-in-outcomes.js';

/** A password and a one-time code (TOTP or a recovery code). */
export const PASSWORD_AND_CODE_METHODS: readonly AuthMethod[] = [
  'pwd',
  'otp',
  'mfa',
];

/**
 * The second step of a password sign-in, for the login route and the password grant alike: the
 * `mfa_token` that a right password earns when the account has a second factor, and the code
 * that completes it (`POST /auth/mfa/verify`, the mfa-otp grant).
 */
@Injectable()
export class MfaSignIn {
  private readonly securityLog = new Logger('Security');
  private readonly requireVerifiedEmail: boolean;

  constructor(
    private readonly mfa: MfaService,
    private readonly mfaTokens: MfaTokensService,
    private readonly users: UsersService,
    private readonly sessionTokens: SessionTokens,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
  }

  /**
   * What a right password leads to: `mfa_required` with a token for the second step when the
   * account has a second factor, else null (the session may start).
   */
  async challenge(
    user: User,
    scopes: readonly Scope[],
  ): Promise<SignInFailure | null> {
    if (!this.mfa.requiredFor(user)) return null;
    return {
      outcome: 'mfa_required',
      mfaToken: await this.mfaTokens.issue(user.id, scopes.join(' ')),
    };
  }

  /**
   * The code is checked against the account's budget like a password; a wrong one leaves the
   * `mfa_token` usable, a right one spends it (once, whatever runs in parallel) and starts the
   * session.
   */
  async complete(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
    /** The mfa-otp grant's DPoP key, if its request carried a proof. */
    dpopJkt: string | null = null,
  ): Promise<TokenResponseDto | SignInFailure> {
    const verified = await this.verify(mfaToken, proof, client);
    if ('outcome' in verified) return verified;
    const { user, scope } = verified;
    const scopes = grantableScopes(grantedScopes(user.roles), scope);
    return this.sessionTokens.start(
      user,
      scopes ?? [],
      client,
      PASSWORD_AND_CODE_METHODS,
      undefined,
      dpopJkt,
    );
  }

  /**
   * The second step without a session: the user, and the scope the `mfa_token` was issued
   * for, once the code is right and the token spent. The hosted sign-in page starts a browser
   * session with it.
   */
  async verify(
    mfaToken: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<{ user: User; scope: string } | SignInFailure> {
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
    return { user, scope: pending.scope };
  }
}
