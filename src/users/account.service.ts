import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { DataSource, type EntityManager } from 'typeorm';
import { BackgroundWork } from '../common/background-work.js';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import type { ClientInfo } from '../common/client-info.js';
import type { Config, EmailVerificationMode } from '../config/environment.js';
import type { Role } from '../roles/roles.js';
import { AccountMails, type NoticeKind } from '../mail/account-mails.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { OutboxSender } from '../mail/outbox-sender.service.js';
import type { AccountTokenKind } from './account-token.entity.js';
import { AccountTokensService } from './account-tokens.service.js';
import { normalizeIdentifier } from './identifiers.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicy } from './password-policy.js';
import type { User } from './user.entity.js';
import {
  PasswordChangedEvent,
  SessionsEndedByAdminEvent,
} from './user.events.js';
import { type Registration, UsersService } from './users.service.js';

/** Mails with links that one address can be sent, per hour, however many clients ask. */
const LINKS_PER_ADDRESS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export const INVALID_OR_EXPIRED_TOKEN = 'invalid_or_expired_token';

/** One answer for a token that is unknown, of another kind, expired or spent. */
export const invalidOrExpiredToken = () =>
  new BadRequestException({
    statusCode: 400,
    error: INVALID_OR_EXPIRED_TOKEN,
    message: 'The link is invalid or has expired; ask for a new one',
  });

/** What a profile edit did: the email changes only once the new address confirms. */
export interface ProfileUpdate {
  user: User;
  pendingEmail: string | null;
}

/**
 * The account's life by mail: verification at signup, password reset, confirmed email change,
 * and security notices. Every mail is written to the outbox in the same transaction as the
 * change it is about (`MailOutbox`), so a committed change always has its mail and a rolled-back
 * one never does; hashing happens before the transaction begins. Flows that take an address
 * from an anonymous caller (forgot, resend) answer before doing anything, so neither their
 * answer nor its timing tells whether the address has an account.
 */
@Injectable()
export class AccountService {
  private readonly securityLog = new Logger('Security');
  private readonly verification: EmailVerificationMode;
  private readonly resetEnabled: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccountTokensService,
    private readonly outbox: MailOutbox,
    private readonly sender: OutboxSender,
    private readonly mails: AccountMails,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly attempts: LoginAttemptsService,
    private readonly events: EventEmitter2,
    private readonly background: BackgroundWork,
    private readonly dataSource: DataSource,
    @Inject(getStorageToken()) private readonly counters: ThrottlerStorage,
    config: ConfigService<Config, true>,
  ) {
    this.verification = config.get('EMAIL_VERIFICATION', { infer: true });
    this.resetEnabled = config.get('PASSWORD_RESET', { infer: true });
  }

  /** Signup: the account and, unless verification is off, its verification mail. */
  async signUp(
    registration: Registration,
    roles: Role[] = ['user'],
  ): Promise<User> {
    const newUser = await this.users.prepare(registration, roles);
    return this.withMail(async (manager) => {
      const user = await this.users.insert(manager, newUser);
      if (this.verification !== 'off')
        await this.mailLink(manager, 'email-verification', user, user.email);
      return user;
    });
  }

  /** A fresh verification link for a signed-in user; the older ones stop working. */
  async resendVerification(user: User): Promise<void> {
    this.assertVerificationOn();
    if (user.emailVerifiedAt !== null) return;
    await this.assertLinkBudget(user.email);
    await this.sendLink('email-verification', user);
  }

  /**
   * The same for an address, from someone who cannot sign in yet (EMAIL_VERIFICATION=required):
   * answered at once; sent only for an unverified account, and at most a few an hour.
   */
  resendVerificationTo(email: string): void {
    this.assertVerificationOn();
    this.inBackground('verification resend', email, async (user) => {
      if (user.emailVerifiedAt !== null) return;
      await this.sendLink('email-verification', user);
    });
  }

  async verifyEmail(token: string): Promise<void> {
    this.assertVerificationOn();
    const spent = await this.tokens.consume('email-verification', token);
    if (!spent) throw invalidOrExpiredToken();
    await this.users.applyChanges(this.users.manager, spent.userId, {
      emailVerifiedAt: new Date(),
    });
    await this.users.announce(spent.userId);
  }

  /** Mails a reset link if the address has an active account; answered before that is known. */
  forgotPassword(email: string): void {
    this.assertResetOn();
    this.inBackground('password reset', email, (user) =>
      this.sendLink('password-reset', user),
    );
  }

  /**
   * Sets a new password with a reset link: the policy first (a weak password does not spend the
   * link), then, in one transaction, the link is spent, the password set, every other link of
   * the user retired and a notice written. Every session ends and the failed-login lock lifts.
   * Using the link also proves the address, so it counts as verified.
   */
  async resetPassword(
    token: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    this.assertResetOn();
    const pending = await this.tokens.peek('password-reset', token);
    const user = pending && (await this.users.findById(pending.userId));
    if (!user || user.disabled) throw invalidOrExpiredToken();
    this.policy.assertAcceptable(newPassword, user);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.withMail(async (manager) => {
      if (!(await this.tokens.consume('password-reset', token, manager)))
        throw invalidOrExpiredToken();
      await this.users.applyChanges(manager, user.id, {
        passwordHash,
        emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
      });
      await this.tokens.revokeAll(user.id, undefined, manager);
      await this.notify(manager, 'password-reset', user);
    });
    await this.afterPasswordChange(user.id, null);
    await this.attempts.clear(`user:${user.id}`);
    this.securityLog.log(
      `password reset by mail: user ${user.id}, ip ${client.ip}`,
    );
  }

  /**
   * Changes the password after checking the current one; the user's mailed links stop working,
   * a notice goes to the address, and every other session ends.
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    currentSessionId: string,
    client: ClientInfo,
  ): Promise<void> {
    await this.users.assertPassword(
      user,
      currentPassword,
      'currentPassword',
      client,
    );
    this.policy.assertAcceptable(newPassword, user);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.withMail(async (manager) => {
      await this.users.applyChanges(manager, user.id, { passwordHash });
      await this.tokens.revokeAll(user.id, undefined, manager);
      await this.notify(manager, 'password-changed', user);
    });
    await this.afterPasswordChange(user.id, currentSessionId);
  }

  /**
   * A profile edit. A new email needs the current password (whoever holds the address can reset
   * the account) and takes effect only when a link mailed to it is used; the old address is told.
   */
  async updateProfile(
    user: User,
    changes: {
      fullName?: string | null;
      username?: string;
      email?: string;
      currentPassword?: string;
    },
    client: ClientInfo,
  ): Promise<ProfileUpdate> {
    const { email, currentPassword, ...profile } = changes;
    // `null` passes the DTO's @IsOptional(); for the email it means "not given".
    const newEmail =
      typeof email === 'string' ? normalizeIdentifier(email) : undefined;
    const emailChanges = newEmail !== undefined && newEmail !== user.email;
    if (emailChanges) {
      if (currentPassword === undefined) {
        throw new BadRequestException(
          'currentPassword is required to change the email',
        );
      }
      await this.users.assertPassword(
        user,
        currentPassword,
        'currentPassword',
        client,
      );
      await this.users.assertEmailFree(newEmail);
      await this.assertLinkBudget(newEmail);
    }
    const updated = await this.users.updateProfile(user, profile);
    if (!emailChanges) return { user: updated, pendingEmail: null };
    if (this.verification === 'off') {
      await this.moveAccount(user, newEmail);
      return { user: await this.users.getById(user.id), pendingEmail: null };
    }
    await this.withMail(async (manager) => {
      await this.mailLink(manager, 'email-change', user, newEmail);
      await this.notify(manager, 'email-change-requested', user, newEmail);
    });
    return { user: updated, pendingEmail: newEmail };
  }

  /**
   * Moves the account to the address an email-change link was sent to; it counts as verified.
   * The old address gets a notice, the user's other links stop working. 409 if the address was
   * taken meanwhile (and the link stays unspent).
   */
  async confirmEmailChange(token: string): Promise<User> {
    const user = await this.withMail(async (manager) => {
      const spent = await this.tokens.consume('email-change', token, manager);
      if (!spent?.newEmail) throw invalidOrExpiredToken();
      const user = await this.users.findById(spent.userId, manager);
      if (!user || user.disabled) throw invalidOrExpiredToken();
      await this.moveTo(manager, user, spent.newEmail, new Date());
      return user;
    });
    await this.users.announce(user.id);
    return this.users.getById(user.id);
  }

  /**
   * EMAIL_VERIFICATION=off: Warden does not check addresses, so a new one (already behind the
   * current password) applies at once, unverified; the old address is still told.
   */
  private async moveAccount(user: User, newEmail: string): Promise<void> {
    await this.withMail((manager) =>
      this.moveTo(manager, user, newEmail, null),
    );
    await this.users.announce(user.id);
  }

  /** The account takes `newEmail`; its other links stop working and the old address is told. */
  private async moveTo(
    manager: EntityManager,
    user: User,
    newEmail: string,
    verifiedAt: Date | null,
  ): Promise<void> {
    await this.users.applyChanges(manager, user.id, {
      email: newEmail,
      emailVerifiedAt: verifiedAt,
    });
    await this.tokens.revokeAll(user.id, undefined, manager);
    await this.notify(manager, 'email-changed', user, newEmail);
  }

  /**
   * An administrator signs a user out everywhere; then the user is told by mail (a failure in
   * between sends no notice of something that did not happen, and a retry sends it).
   */
  async endSessionsAsAdmin(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    await this.events.emitAsync(
      SessionsEndedByAdminEvent.event,
      new SessionsEndedByAdminEvent(user.id),
    );
    await this.withMail((manager) =>
      this.notify(manager, 'sessions-ended', user),
    );
  }

  /**
   * A transaction whose mails go out as soon as it has committed: a change and the mail about
   * it are written together or not at all.
   */
  async withMail<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.sender.wake();
    return result;
  }

  /** Writes a security notice to the user's address into `manager`'s transaction. */
  notify(
    manager: EntityManager,
    kind: NoticeKind,
    user: User,
    detail?: string,
  ): Promise<void> {
    return this.outbox.enqueue(
      manager,
      this.mails.notice(kind, user.email, detail),
    );
  }

  /** A fresh link of `kind` to the user's address, alone in its transaction. */
  private sendLink(kind: AccountTokenKind, user: User): Promise<void> {
    return this.withMail((manager) =>
      this.mailLink(manager, kind, user, user.email),
    );
  }

  private async mailLink(
    manager: EntityManager,
    kind: AccountTokenKind,
    user: User,
    to: string,
  ): Promise<void> {
    const token = await this.tokens.issue(
      manager,
      user.id,
      kind,
      this.mails.ttl(kind),
      kind === 'email-change' ? to : null,
    );
    await this.outbox.enqueue(manager, this.mails.link(kind, to, token));
  }

  private async afterPasswordChange(
    userId: string,
    currentSessionId: string | null,
  ): Promise<void> {
    await this.users.announce(userId);
    await this.events.emitAsync(
      PasswordChangedEvent.event,
      new PasswordChangedEvent(userId, currentSessionId),
    );
  }

  /**
   * Counts a link mailed to `address` against `LINKS_PER_ADDRESS_PER_HOUR` (in Redis when
   * configured, so across instances): whoever asks, one mailbox is not flooded. The seconds to
   * wait when over it, else 0.
   */
  private async linkBudget(address: string): Promise<number> {
    const { isBlocked, timeToBlockExpire } = await this.counters.increment(
      `mail-to:${normalizeIdentifier(address)}`,
      HOUR_MS,
      LINKS_PER_ADDRESS_PER_HOUR,
      HOUR_MS,
      'mail-to',
    );
    return isBlocked ? Math.max(1, timeToBlockExpire) : 0;
  }

  /** For a caller who is signed in (nothing to hide from them): 429 over the budget. */
  private async assertLinkBudget(address: string): Promise<void> {
    const wait = await this.linkBudget(address);
    if (wait > 0)
      throw new RateLimitedException(
        `At most ${LINKS_PER_ADDRESS_PER_HOUR} links an hour go to one address`,
        wait,
      );
  }

  /**
   * Runs `work` for the active account of `email` after the request has been answered, unless
   * that address is over its link budget (an unknown address counts too, so the limit tells
   * nothing).
   */
  private inBackground(
    label: string,
    email: string,
    work: (user: User) => Promise<void>,
  ): void {
    const address = normalizeIdentifier(email);
    this.background.run(label, async () => {
      if ((await this.linkBudget(address)) > 0) {
        this.securityLog.warn(
          `${label}: address over ${LINKS_PER_ADDRESS_PER_HOUR} links an hour; nothing sent`,
        );
        return;
      }
      const user = await this.users.findByEmail(address);
      if (!user || user.disabled) return;
      await work(user);
    });
  }

  private assertVerificationOn(): void {
    if (this.verification === 'off')
      throw new NotFoundException('Email verification is switched off');
  }

  private assertResetOn(): void {
    if (!this.resetEnabled)
      throw new NotFoundException('Password reset by mail is switched off');
  }
}
