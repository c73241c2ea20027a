import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { DataSource, type EntityManager } from 'typeorm';
import { BackgroundWork } from '../common/background-work.js';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import type { ClientInfo } from '../common/client-info.js';
import type { Settings } from '../config/settings.js';
import type { EmailVerificationMode } from './users.settings.js';
import type {
  CredentialEvent,
  CredentialSubject,
  SignInMethodKind,
} from '../credentials/credential-events.js';
import {
  CredentialLifecycle,
  type RemovedSignInMethod,
} from '../credentials/credential-lifecycle.service.js';
import { SignInMethods } from '../credentials/sign-in-methods.service.js';
import type { Role } from '../roles/roles.js';
import {
  AccountMails,
  type NoticeDetails,
  type NoticeKind,
} from '../mail/account-mails.js';
import { MailOutbox } from '../mail/mail-outbox.service.js';
import { OutboxSender } from '../mail/outbox-sender.service.js';
import { AccountTokensService } from './account-tokens.service.js';
import { mailboxOf, normalizeIdentifier } from './identifiers.js';
import {
  accountLockedException,
  LoginAttemptsService,
  passwordClearsFailures,
} from './login-attempts.service.js';
import type { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicy } from './password-policy.js';
import type { User } from './user.entity.js';
import { type Registration, UsersService } from './users.service.js';
import { ProblemException } from '../problems/problem.exception.js';

/** Mails with links that one mailbox, or one account's email changes, may cause per hour. */
const LINKS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

/** One answer for a token that is unknown, of another kind, expired or spent. */
export const invalidOrExpiredToken = () =>
  new ProblemException('invalid_or_expired_token');

/** What a profile edit did: the email changes only once the new address confirms. */
export interface ProfileUpdate {
  user: User;
  pendingEmail: string | null;
}

/** The notice that announces each kind of sign-in method when it is added. */
const ADDED_NOTICES: Record<SignInMethodKind, NoticeKind> = {
  passkey: 'passkey-added',
  totp: 'totp-enabled',
  'recovery-codes': 'recovery-codes-replaced',
};

/**
 * The account's life by mail: verification at signup, password reset, confirmed email change,
 * and security notices. Every mail is written to the outbox in the same transaction as the
 * change it is about (`MailOutbox`), and so is every ending the change causes
 * (`CredentialLifecycle`): a committed change always has its mail and its endings, a rolled-back
 * one has neither. Hashing happens before the transaction begins. Flows that take an address
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
    private readonly lifecycle: CredentialLifecycle,
    signInMethods: SignInMethods,
    private readonly background: BackgroundWork,
    private readonly dataSource: DataSource,
    @Inject(getStorageToken()) private readonly counters: ThrottlerStorage,
    config: ConfigService<Settings, true>,
  ) {
    this.verification = config.get('users.EMAIL_VERIFICATION', { infer: true });
    this.resetEnabled = config.get('users.PASSWORD_RESET', { infer: true });
    signInMethods.notifyWith((manager, user, added) =>
      this.announceAdded(manager, user, added),
    );
  }

  /**
   * Signup: the account and, unless verification is off, its verification mail (whose link goes
   * on to `resume`, an authorization request of the hosted pages, when given).
   */
  async signUp(
    registration: Registration,
    { roles = ['user'], resume }: { roles?: Role[]; resume?: string } = {},
  ): Promise<User> {
    const newUser = await this.users.prepare(registration, roles);
    return this.withMail(async (manager) => {
      const user = await this.users.insert(manager, newUser);
      if (this.verification !== 'off')
        await this.mailLink(
          manager,
          'email-verification',
          user,
          user.email,
          resume,
        );
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

  /**
   * Proves the address with its link and the account's password (a wrong password spends the
   * account's budget and leaves the link usable). Whoever proves both created the account, so
   * the proof ends nothing (`email-verified`).
   */
  async verifyEmail(
    token: string,
    password: string,
    client: ClientInfo,
  ): Promise<void> {
    this.assertVerificationOn();
    const pending = await this.tokens.peek('email-verification', token);
    const user = pending && (await this.users.findById(pending.userId));
    if (!user || user.disabled) throw invalidOrExpiredToken();
    await this.assertPassword(user, password, 'password', client);
    const outcome = await this.withMail(async (manager) => {
      if (!(await this.tokens.consume('email-verification', token, manager)))
        throw invalidOrExpiredToken();
      await this.users.applyChanges(manager, user.id, {
        emailVerifiedAt: new Date(),
      });
      return this.lifecycle.apply(manager, 'email-verified', {
        userId: user.id,
      });
    });
    await this.afterChange(user.id, outcome);
  }

  /**
   * Mails a reset link if the address has an active account; answered before that is known. The
   * link goes on to `resume` (an authorization request of the hosted pages) when given.
   */
  forgotPassword(email: string, resume?: string): void {
    this.assertResetOn();
    this.inBackground('password reset', email, (user) =>
      this.sendLink('password-reset', user, resume),
    );
  }

  /**
   * Sets a new password with a reset link: the policy first (a weak password does not spend the
   * link), then, in one transaction, the link is spent, the password set, the address counted
   * as proven, and what the event ends ended: every session, pending proof and link; and when
   * this is the first proof of the address (`password-reset-first-proof`), every sign-in method
   * too, since whoever created the account before the owner proved the address may have added
   * them. The notice lists what was removed. The failed-login lock lifts.
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
    const firstProof = user.emailVerifiedAt === null;
    const outcome = await this.withMail(async (manager) => {
      if (!(await this.tokens.consume('password-reset', token, manager)))
        throw invalidOrExpiredToken();
      await this.users.applyChanges(manager, user.id, {
        passwordHash,
        emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
      });
      const ended = await this.lifecycle.apply(
        manager,
        firstProof ? 'password-reset-first-proof' : 'password-reset',
        { userId: user.id },
      );
      await this.notify(manager, 'password-reset', user, {
        removed: ended.removed.map((entry) => entry.label),
      });
      return ended;
    });
    await this.afterChange(user.id, outcome);
    await this.attempts.clear(`user:${user.id}`);
    this.securityLog.log(
      `password reset by mail: user ${user.id}, ip ${client.ip}${firstProof ? ' (first proof of the address: sign-in methods removed)' : ''}`,
    );
  }

  /**
   * Changes the password after checking the current one; what the change ends ends
   * (`password-changed`: every other session, pending proofs, mailed links) and a notice goes to
   * the address.
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    currentSessionId: string,
    client: ClientInfo,
  ): Promise<void> {
    await this.assertPassword(user, currentPassword, 'currentPassword', client);
    this.policy.assertAcceptable(newPassword, user);
    const passwordHash = await this.hasher.hash(newPassword);
    const outcome = await this.withMail(async (manager) => {
      await this.users.applyChanges(manager, user.id, { passwordHash });
      await this.notify(manager, 'password-changed', user);
      return this.lifecycle.apply(manager, 'password-changed', {
        userId: user.id,
        sessionId: currentSessionId,
      });
    });
    await this.afterChange(user.id, outcome);
  }

  /**
   * A profile edit. A new email needs the current password (whoever holds the address can reset
   * the account) and takes effect only when a link mailed to it is used; the old address is
   * told. An address that another account holds (or looks like) gets the same answer, the same
   * work and the same mails to the caller's side; its owner is told, and no link is sent.
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
    currentSessionId: string,
  ): Promise<ProfileUpdate> {
    const { email, currentPassword, ...profile } = changes;
    // `null` passes the DTO's @IsOptional(); for the email it means "not given".
    const newEmail =
      typeof email === 'string' ? normalizeIdentifier(email) : undefined;
    const emailChanges = newEmail !== undefined && newEmail !== user.email;
    let holder: User | null = null;
    if (emailChanges) {
      if (currentPassword === undefined) {
        throw new BadRequestException(
          'currentPassword is required to change the email',
        );
      }
      await this.assertPassword(
        user,
        currentPassword,
        'currentPassword',
        client,
      );
      await this.assertLinkBudget(newEmail, user.id);
      holder = await this.users.findAddressHolder(newEmail, user.id);
      // Without verification no link could prove the address, so the conflict is told at once.
      if (holder && this.verification === 'off')
        throw new ConflictException(
          'An account with this email already exists',
        );
    }
    const updated = await this.users.updateProfile(user, profile);
    if (!emailChanges) return { user: updated, pendingEmail: null };
    if (this.verification === 'off') {
      await this.moveAccount(user, newEmail, currentSessionId);
      return { user: await this.users.getById(user.id), pendingEmail: null };
    }
    await this.withMail(async (manager) => {
      if (holder) {
        // The same work as a free address, with the token thrown away: the caller's pending
        // change is retired either way, and nobody can use this one.
        await this.tokens.issue(
          manager,
          user.id,
          'email-change',
          this.mails.ttl('email-change'),
          { newEmail },
        );
        await this.notify(manager, 'email-address-in-use', holder);
      } else {
        await this.mailLink(manager, 'email-change', user, newEmail);
      }
      await this.notify(manager, 'email-change-requested', user, {
        detail: newEmail,
      });
    });
    return { user: updated, pendingEmail: newEmail };
  }

  /**
   * A password re-check is a login: it spends from the same per-account budget, so a stolen
   * access token cannot be used to guess the password behind it (429 once the budget is spent).
   */
  async assertPassword(
    user: User,
    password: string,
    field: string,
    client: ClientInfo,
  ): Promise<void> {
    const attempt = await this.attempts.check(
      `user:${user.id}`,
      client.ip,
      () => this.hasher.verify(user.passwordHash, password),
      { keepCount: !passwordClearsFailures(user) },
    );
    if (attempt.locked) throw accountLockedException(attempt.retryAfterSeconds);
    if (!attempt.valid) throw new ForbiddenException(`${field} is incorrect`);
  }

  /**
   * An admin's edit, with what it ends (`account-disabled`: every session, pending proof and
   * link; `roles-changed-by-admin`: nothing, since scopes are re-read on every request) in the
   * same transaction.
   */
  async adminUpdate(id: string, dto: AdminUpdateUserDto): Promise<User> {
    const user = await this.users.getById(id);
    const outcomes = await this.dataSource.transaction(async (manager) => {
      await this.users.applyChanges(manager, user.id, dto);
      const subject: CredentialSubject = { userId: user.id };
      return [
        ...(dto.disabled === true && !user.disabled
          ? [await this.lifecycle.apply(manager, 'account-disabled', subject)]
          : []),
        ...(dto.roles !== undefined
          ? [
              await this.lifecycle.apply(
                manager,
                'roles-changed-by-admin',
                subject,
              ),
            ]
          : []),
      ];
    });
    await this.users.announce(user.id);
    for (const outcome of outcomes) await outcome.afterCommit();
    return this.users.getById(user.id);
  }

  /**
   * Deletes the account (after the password, asked again), in one transaction with what the
   * deletion ends; its rows go with it.
   */
  async deleteAccount(
    user: User,
    password: string,
    client: ClientInfo,
    currentSessionId: string,
  ): Promise<void> {
    await this.assertPassword(user, password, 'password', client);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const ended = await this.lifecycle.apply(manager, 'account-deleted', {
        userId: user.id,
        sessionId: currentSessionId,
      });
      return (await this.users.remove(manager, user.id)) ? ended : null;
    });
    await this.users.announce(user.id);
    await outcome?.afterCommit();
  }

  /**
   * Moves the account to the address an email-change link was sent to; it counts as verified.
   * The old address gets a notice, and what the change ends ends (links sent to the old
   * address). 409 if the address, or a look-alike of it, was taken meanwhile (and the link
   * stays unspent).
   */
  async confirmEmailChange(token: string): Promise<User> {
    const { user, outcome } = await this.withMail(async (manager) => {
      const spent = await this.tokens.consume('email-change', token, manager);
      if (!spent?.newEmail) throw invalidOrExpiredToken();
      const user = await this.users.findById(spent.userId, manager);
      if (!user || user.disabled) throw invalidOrExpiredToken();
      const outcome = await this.moveTo(
        manager,
        user,
        spent.newEmail,
        new Date(),
        { userId: user.id },
      );
      return { user, outcome };
    });
    await this.afterChange(user.id, outcome);
    return this.users.getById(user.id);
  }

  /**
   * "This was not me": the link of a sign-in-method notice removes that method and ends every
   * session and pending proof of the account (`removed-by-owner-link`); no password is asked,
   * so that an owner whose password was phished can undo what the attacker planted from the
   * mail alone. The notice says what went.
   */
  async removeSignInMethodWithLink(
    token: string,
    client: ClientInfo,
  ): Promise<void> {
    const { user, outcome } = await this.withMail(async (manager) => {
      const spent = await this.tokens.consume(
        'sign-in-method-removal',
        token,
        manager,
      );
      if (!spent?.method) throw invalidOrExpiredToken();
      const user = await this.users.findById(spent.userId, manager);
      if (!user) throw invalidOrExpiredToken();
      const outcome = await this.lifecycle.apply(
        manager,
        'removed-by-owner-link',
        { userId: user.id, method: spent.method },
      );
      await this.notify(manager, 'sign-in-method-removed', user, {
        removed: outcome.removed.map((entry) => entry.label),
      });
      return { user, outcome };
    });
    await this.afterChange(user.id, outcome);
    this.securityLog.warn(
      `sign-in method removed with the owner's link: user ${user.id}, ip ${client.ip}; every session ended`,
    );
  }

  /**
   * An administrator signs a user out everywhere; the user is told by mail in the same
   * transaction.
   */
  async endSessionsAsAdmin(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    const outcome = await this.withMail(async (manager) => {
      await this.notify(manager, 'sessions-ended', user);
      return this.lifecycle.apply(manager, 'sessions-ended-by-admin', {
        userId: user.id,
      });
    });
    await this.afterChange(user.id, outcome);
  }

  /**
   * Applies a credential event in its own transaction, with a notice to the owner when one is
   * named; for callers whose change is the event itself (a removed passkey, TOTP turned off).
   * `notFound`: the answer when the method the event removes is gone already (another request
   * removed it meanwhile); nothing is written then.
   */
  async applyEvent(
    event: CredentialEvent,
    user: User,
    subject: Omit<CredentialSubject, 'userId'>,
    notice?: { kind: NoticeKind; details?: NoticeDetails },
    notFound?: () => Error,
  ): Promise<readonly RemovedSignInMethod[]> {
    const outcome = await this.withMail(async (manager) => {
      const ended = await this.lifecycle.apply(manager, event, {
        ...subject,
        userId: user.id,
      });
      if (notFound && ended.removed.length === 0) throw notFound();
      if (notice) await this.notify(manager, notice.kind, user, notice.details);
      return ended;
    });
    await this.afterChange(user.id, outcome);
    return outcome.removed;
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
    user: Pick<User, 'email'>,
    details?: NoticeDetails,
  ): Promise<void> {
    return this.outbox.enqueue(
      manager,
      this.mails.notice(kind, user.email, details),
    );
  }

  /**
   * The notice of a new sign-in method, with the single-use link that removes it
   * (`SignInMethods.added` calls this inside the transaction that adds it).
   */
  private async announceAdded(
    manager: EntityManager,
    user: User,
    added: RemovedSignInMethod,
  ): Promise<void> {
    const removalToken = await this.tokens.issue(
      manager,
      user.id,
      'sign-in-method-removal',
      this.mails.ttl('sign-in-method-removal'),
      { method: added.method },
    );
    await this.notify(manager, ADDED_NOTICES[added.method.kind], user, {
      detail: added.label,
      removalToken,
    });
  }

  /**
   * EMAIL_VERIFICATION=off: Warden does not check addresses, so a new one (already behind the
   * current password) applies at once, unverified; the old address is still told.
   */
  private async moveAccount(
    user: User,
    newEmail: string,
    currentSessionId: string,
  ): Promise<void> {
    const outcome = await this.withMail((manager) =>
      this.moveTo(manager, user, newEmail, null, {
        userId: user.id,
        sessionId: currentSessionId,
      }),
    );
    await this.afterChange(user.id, outcome);
  }

  /** The account takes `newEmail`; what the change ends ends, and the old address is told. */
  private async moveTo(
    manager: EntityManager,
    user: User,
    newEmail: string,
    verifiedAt: Date | null,
    subject: CredentialSubject,
  ) {
    await this.users.changeEmail(manager, user, newEmail, verifiedAt);
    await this.notify(manager, 'email-changed', user, { detail: newEmail });
    return this.lifecycle.apply(manager, 'email-change-confirmed', subject);
  }

  /** After a committed change: cached copies of the user and of ended sessions go. */
  private async afterChange(
    userId: string,
    outcome: { afterCommit(): Promise<void> },
  ): Promise<void> {
    await this.users.announce(userId);
    await outcome.afterCommit();
  }

  /** A fresh link of `kind` to the user's address, alone in its transaction. */
  private sendLink(
    kind: 'email-verification' | 'password-reset',
    user: User,
    resume?: string,
  ): Promise<void> {
    return this.withMail((manager) =>
      this.mailLink(manager, kind, user, user.email, resume),
    );
  }

  private async mailLink(
    manager: EntityManager,
    kind: 'email-verification' | 'password-reset' | 'email-change',
    user: User,
    to: string,
    resume?: string,
  ): Promise<void> {
    const token = await this.tokens.issue(
      manager,
      user.id,
      kind,
      this.mails.ttl(kind),
      kind === 'email-change' ? { newEmail: to } : {},
    );
    await this.outbox.enqueue(
      manager,
      this.mails.link(kind, to, token, resume),
    );
  }

  /**
   * Counts a link mailed to `address` against `LINKS_PER_HOUR` for its mailbox (the address with
   * any `+tag` dropped, so that `victim+1@…` and `victim+2@…` share one count), and, for an
   * email change, for the account asking (in Redis when configured, so across instances). The
   * seconds to wait when over either, else 0.
   */
  private async linkBudget(
    address: string,
    emailChangeBy?: string,
  ): Promise<number> {
    const keys = [
      `mail-to:${mailboxOf(address)}`,
      ...(emailChangeBy ? [`email-change-by:${emailChangeBy}`] : []),
    ];
    let wait = 0;
    for (const key of keys) {
      const { isBlocked, timeToBlockExpire } = await this.counters.increment(
        key,
        HOUR_MS,
        LINKS_PER_HOUR,
        HOUR_MS,
        'mail-to',
      );
      if (isBlocked) wait = Math.max(wait, 1, timeToBlockExpire);
    }
    return wait;
  }

  /** For a caller who is signed in (nothing to hide from them): 429 over the budget. */
  private async assertLinkBudget(
    address: string,
    emailChangeBy?: string,
  ): Promise<void> {
    const wait = await this.linkBudget(address, emailChangeBy);
    if (wait > 0)
      throw new RateLimitedException(
        emailChangeBy
          ? `At most ${LINKS_PER_HOUR} email-change links an hour go to one mailbox, or from one account`
          : `At most ${LINKS_PER_HOUR} links an hour go to one mailbox`,
        wait,
      );
  }

  /**
   * Runs `work` for the active account of `email` after the request has been answered, unless
   * that mailbox is over its link budget (an unknown address counts too, so the limit tells
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
          `${label}: mailbox over ${LINKS_PER_HOUR} links an hour; nothing sent`,
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
