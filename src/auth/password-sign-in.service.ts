import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import {
  accountStatus,
  requiresVerifiedEmail,
} from '../users/account-status.js';
import { normalizeIdentifier } from '../users/identifiers.js';
import {
  LoginAttemptsService,
  passwordClearsFailures,
} from '../users/login-attempts.service.js';
import { PasswordHasher } from '../users/password-hasher.service.js';
import { UsersService } from '../users/users.service.js';
import type { PasswordCheck } from './sign-in-outcomes.js';

const MAX_PASSWORD_LENGTH = 128;

/** What a password login presents. */
export interface LoginCredentials {
  identifier: string;
  password: string;
}

/**
 * The one password check (`/auth/login` through `LocalStrategy`, and the password grant):
 * whether these credentials sign in, and if not, why.
 */
@Injectable()
export class PasswordSignIn {
  private readonly securityLog = new Logger('Security');
  private readonly requireVerifiedEmail: boolean;

  constructor(
    private readonly loginAttempts: LoginAttemptsService,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    config: ConfigService<Settings, true>,
  ) {
    this.requireVerifiedEmail = requiresVerifiedEmail(config);
  }

  /**
   * Unknown users, wrong passwords and disabled accounts take the same time (a dummy hash is
   * verified for unknown users); callers give the first three the same answer. Every check
   * spends from the account's budget (`LoginAttemptsService`): once it is spent the result is
   * `locked` before any password is hashed, known account or not. A hash made with older
   * settings is upgraded on success. When the account has a second factor, a right password
   * does not reset the count (`passwordClearsFailures`); the second factor does.
   */
  async check(
    credentials: LoginCredentials,
    client: ClientInfo,
  ): Promise<PasswordCheck> {
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
}
