import {
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import {
  CredentialLifecycle,
  type Ended,
} from '../credentials/credential-lifecycle.service.js';
import { SignInMethods } from '../credentials/sign-in-methods.service.js';
import {
  accountLockedException,
  LoginAttemptsService,
} from '../users/login-attempts.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccountService } from '../users/account.service.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { TotpFactor } from './totp-factor.entity.js';
import { type TotpEnrolment, TotpService } from './totp.service.js';
import { ProblemException } from '../problems/problem.exception.js';

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

const AUTHENTICATOR = 'the authenticator app';
const RECOVERY_CODES = 'the recovery codes';

/** The answer to a code that does not fit an enrolment under way. */
const invalidEnrolmentCode = () =>
  new ProblemException('invalid_code', {
    status: 400,
    detail:
      'The code does not match the authenticator being set up (or no set-up is under way: POST /auth/mfa/totp)',
  });

/**
 * The second factor of an account: enrolment, the check of a code (against the same per-account
 * budget as passwords, at sign-in and at enrolment alike), and turning it off. TOTP and its
 * recovery codes are sign-in methods (`SignInMethods`): added only once the address is proven,
 * announced with a removal link, removed by the events that remove them. `User.mfaEnabled` says
 * whether password logins need a code; it changes only together with the factor and the notice
 * mailed about it, in one transaction.
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
    private readonly signInMethods: SignInMethods,
    private readonly lifecycle: CredentialLifecycle,
    config: ConfigService<Settings, true>,
  ) {
    this.enabled = config.get('mfa.MFA_TOTP', { infer: true });
    signInMethods.register({
      kind: 'totp',
      entities: [TotpFactor],
      secondFactor: true,
      inUse: (user) => Promise.resolve(this.requiredFor(user)),
      remove: (manager, userId) => this.removeTotp(manager, userId),
    });
    signInMethods.register({
      kind: 'recovery-codes',
      entities: [RecoveryCode],
      // A recovery code stands in for the authenticator; it is not a factor of its own.
      secondFactor: false,
      inUse: async (user) => (await this.recoveryCodes.remaining(user.id)) > 0,
      remove: async (manager, userId) => {
        const removed = await this.recoveryCodes.removeAll(manager, userId);
        return {
          removed:
            removed > 0
              ? [
                  {
                    method: { kind: 'recovery-codes', id: null },
                    label: RECOVERY_CODES,
                  },
                ]
              : [],
        };
      },
    });
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
    this.signInMethods.assertMayAdd(user);
    await this.account.assertPassword(user, password, 'password', client);
    return this.totp.begin(user);
  }

  /**
   * Step two: a code from the new authenticator turns it on; the recovery codes come back once.
   * Each code tried spends from the account's budget like a password, so guesses at the
   * enrolment are bounded too (a right one gives its attempt back, and clears nothing).
   */
  async confirmTotp(
    user: User,
    code: string,
    client: ClientInfo,
  ): Promise<string[]> {
    this.assertEnabled();
    this.signInMethods.assertMayAdd(user);
    const enrolment: { codes: string[] | null } = { codes: null };
    const attempt = await this.loginAttempts.check(
      `user:${user.id}`,
      client.ip,
      async () => {
        enrolment.codes = await this.account.withMail(async (manager) => {
          if (!(await this.totp.confirm(manager, user.id, code))) return null;
          await this.users.applyChanges(manager, user.id, { mfaEnabled: true });
          await this.signInMethods.added(
            manager,
            user,
            { kind: 'totp', id: null },
            AUTHENTICATOR,
          );
          // The codes come with the authenticator: its notice and removal link cover them.
          return this.recoveryCodes.replace(manager, user.id);
        });
        return enrolment.codes !== null;
      },
      { keepCount: true },
    );
    if (attempt.locked) throw accountLockedException(attempt.retryAfterSeconds);
    if (!enrolment.codes) throw invalidEnrolmentCode();
    await this.users.announce(user.id);
    return enrolment.codes;
  }

  /**
   * Turns TOTP off: the password and a current code (or a recovery code), both against the
   * lock; what it ends ends (`totp-turned-off`: pending logins waiting for a code).
   */
  async disableTotp(
    user: User,
    password: string,
    proof: SecondFactorProof,
    client: ClientInfo,
    currentSessionId: string,
  ): Promise<void> {
    this.assertEnabled();
    await this.account.assertPassword(user, password, 'password', client);
    this.assertProof(await this.check(user, proof, client));
    await this.account.applyEvent(
      'totp-turned-off',
      user,
      { sessionId: currentSessionId, method: { kind: 'totp', id: null } },
      { kind: 'totp-disabled' },
    );
  }

  /**
   * An administrator turns a user's TOTP off (the user lost the authenticator and the recovery
   * codes, and has proved who they are some other way); the user's sessions end, and the user
   * gets the notice.
   */
  async resetForUser(userId: string): Promise<void> {
    this.assertEnabled();
    const user = await this.users.getById(userId);
    await this.account.applyEvent(
      'second-factor-reset-by-admin',
      user,
      { method: { kind: 'totp', id: null } },
      { kind: 'totp-disabled' },
    );
  }

  /**
   * A new set of recovery codes (the password again); the old set and its removal link stop
   * working, and the new set is announced with one of its own.
   */
  async replaceRecoveryCodes(
    user: User,
    password: string,
    client: ClientInfo,
    currentSessionId: string,
  ): Promise<string[]> {
    this.assertEnabled();
    if (!user.mfaEnabled)
      throw new ConflictException(
        'Recovery codes come with TOTP: turn it on first (POST /auth/mfa/totp)',
      );
    this.signInMethods.assertMayAdd(user);
    await this.account.assertPassword(user, password, 'password', client);
    const { codes, ended } = await this.account.withMail(async (manager) => {
      const ended = await this.lifecycle.apply(
        manager,
        'recovery-codes-replaced',
        {
          userId: user.id,
          sessionId: currentSessionId,
          method: { kind: 'recovery-codes', id: null },
        },
      );
      const codes = await this.recoveryCodes.replace(manager, user.id);
      await this.signInMethods.added(
        manager,
        user,
        { kind: 'recovery-codes', id: null },
        RECOVERY_CODES,
      );
      return { codes, ended };
    });
    await ended.afterCommit();
    return codes;
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

  /** TOTP as a sign-in method: the authenticator and its recovery codes go together. */
  private async removeTotp(
    manager: EntityManager,
    userId: string,
  ): Promise<Ended> {
    const wasOn = await this.totp.remove(manager, userId);
    const codes = await this.recoveryCodes.removeAll(manager, userId);
    await this.users.applyChanges(manager, userId, { mfaEnabled: false });
    return {
      removed: [
        ...(wasOn
          ? [
              {
                method: { kind: 'totp', id: null } as const,
                label: AUTHENTICATOR,
              },
            ]
          : []),
        ...(codes > 0
          ? [
              {
                method: { kind: 'recovery-codes', id: null } as const,
                label: RECOVERY_CODES,
              },
            ]
          : []),
      ],
      afterCommit: () => this.users.announce(userId),
    };
  }

  private assertProof(check: SecondFactorCheck): void {
    if (check.outcome === 'locked')
      throw accountLockedException(check.retryAfterSeconds);
    if (check.outcome === 'invalid')
      throw new ProblemException('invalid_code', { status: 403 });
  }

  private assertEnabled(): void {
    if (!this.enabled)
      throw new NotFoundException(
        'Second factors are switched off (MFA_TOTP=false)',
      );
  }
}
