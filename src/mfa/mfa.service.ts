import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientInfo } from '../common/client-info.js';
import type { Config } from '../config/environment.js';
import {
  accountLockedException,
  LoginAttemptsService,
} from '../users/login-attempts.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccountService } from '../users/account.service.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { type TotpEnrolment, TotpService } from './totp.service.js';

/** A second factor as presented: a code from the authenticator, or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

export type SecondFactorCheck =
  | { outcome: 'ok' }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; retryAfterSeconds: number };

export interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

/**
 * The second factor of an account: enrolment, the check of a code (against the same per-account
 * budget as passwords), and turning it off. `User.mfaEnabled` says whether password logins need
 * it; it changes only together with the factor and the notice mailed about it, in one
 * transaction.
 */
@Injectable()
export class MfaService {
  /** MFA_TOTP: when off, enrolment is gone and logins ask nobody for a code. */
  readonly enabled: boolean;

  constructor(
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly users: UsersService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly account: AccountService,
    config: ConfigService<Config, true>,
  ) {
    this.enabled = config.get('MFA_TOTP', { infer: true });
  }

  /** Whether a password login of this user must be completed with a second factor. */
  requiredFor(user: User): boolean {
    return this.enabled && user.mfaEnabled;
  }

  async status(user: User): Promise<MfaStatus> {
    this.assertEnabled();
    return {
      totp: user.mfaEnabled,
      recoveryCodesLeft: user.mfaEnabled
        ? await this.recoveryCodes.remaining(user.id)
        : 0,
    };
  }

  /** Step one: the password again (it counts against the lock), then a new secret. */
  async beginTotp(
    user: User,
    password: string,
    client: ClientInfo,
  ): Promise<TotpEnrolment> {
    this.assertEnabled();
    await this.users.assertPassword(user, password, 'password', client);
    return this.totp.begin(user);
  }

  /** Step two: a code from the new authenticator turns it on; the recovery codes come back once. */
  async confirmTotp(user: User, code: string): Promise<string[]> {
    this.assertEnabled();
    const codes = await this.account.withMail(async (manager) => {
      if (!(await this.totp.confirm(manager, user.id, code))) return null;
      await this.users.applyChanges(manager, user.id, { mfaEnabled: true });
      await this.account.notify(manager, 'totp-enabled', user);
      return this.recoveryCodes.replace(manager, user.id);
    });
    if (!codes)
      throw new BadRequestException({
        statusCode: 400,
        error: 'invalid_code',
        message:
          'The code does not match the authenticator being set up (or no set-up is under way: POST /auth/mfa/totp)',
      });
    await this.users.announce(user.id);
    return codes;
  }

  /** Turns TOTP off: the password and a current code (or a recovery code), both against the lock. */
  async disableTotp(
    user: User,
    password: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<void> {
    this.assertEnabled();
    await this.users.assertPassword(user, password, 'password', client);
    this.assertProof(await this.check(user, proof, client));
    await this.turnOff(user);
  }

  private async turnOff(user: User): Promise<void> {
    await this.account.withMail(async (manager) => {
      await this.totp.remove(manager, user.id);
      await this.recoveryCodes.removeAll(manager, user.id);
      await this.users.applyChanges(manager, user.id, { mfaEnabled: false });
      await this.account.notify(manager, 'totp-disabled', user);
    });
    await this.users.announce(user.id);
  }

  /**
   * An administrator turns a user's TOTP off (the user lost the authenticator and the recovery
   * codes, and has proved who they are some other way); the user gets the notice.
   */
  async resetForUser(userId: string): Promise<void> {
    this.assertEnabled();
    const user = await this.users.getById(userId);
    await this.turnOff(user);
  }

  /** A new set of recovery codes (the password again); the old set stops working. */
  async replaceRecoveryCodes(
    user: User,
    password: string,
    client: ClientInfo,
  ): Promise<string[]> {
    this.assertEnabled();
    if (!user.mfaEnabled)
      throw new ConflictException(
        'Recovery codes come with TOTP: turn it on first (POST /auth/mfa/totp)',
      );
    await this.users.assertPassword(user, password, 'password', client);
    return this.account.withMail(async (manager) => {
      await this.account.notify(manager, 'recovery-codes-replaced', user);
      return this.recoveryCodes.replace(manager, user.id);
    });
  }

  /**
   * Checks a second factor against the account's budget, exactly like a password: a wrong code
   * spends an attempt, a spent budget answers `locked` before any check, and a right code
   * resets the count.
   */
  async check(
    user: User,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<SecondFactorCheck> {
    if (!this.enabled) return { outcome: 'invalid' };
    const attempt = await this.loginAttempts.check(
      `user:${user.id}`,
      client.ip,
      () =>
        'code' in proof
          ? this.totp.check(user.id, proof.code)
          : this.recoveryCodes.consume(user.id, proof.recoveryCode),
    );
    if (attempt.locked)
      return {
        outcome: 'locked',
        retryAfterSeconds: attempt.retryAfterSeconds,
      };
    return attempt.valid ? { outcome: 'ok' } : { outcome: 'invalid' };
  }

  private assertProof(check: SecondFactorCheck): void {
    if (check.outcome === 'locked')
      throw accountLockedException(check.retryAfterSeconds);
    if (check.outcome === 'invalid')
      throw new ForbiddenException({
        statusCode: 403,
        error: 'invalid_code',
        message: 'The code is incorrect or already used',
      });
  }

  private assertEnabled(): void {
    if (!this.enabled)
      throw new NotFoundException(
        'Second factors are switched off (MFA_TOTP=false)',
      );
  }
}
