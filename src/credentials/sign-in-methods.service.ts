import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import type { Settings } from '../config/settings.js';
import type { User } from '../users/user.entity.js';
import {
  SIGN_IN_METHOD_KINDS,
  type SignInMethodKind,
  type SignInMethodRef,
} from './credential-events.js';
import {
  CredentialLifecycle,
  type CredentialEnder,
  type Ended,
  type EndingContext,
  type RemovedSignInMethod,
} from './credential-lifecycle.service.js';
import { ProblemException } from '../problems/problem.exception.js';

/**
 * A way to sign in that a user adds (beyond the password, which is replaced, never removed):
 * passkeys, TOTP, recovery codes. Each registers with `SignInMethods`, through which every
 * addition is checked and announced and every removal by an event happens.
 */
export interface SignInMethod {
  readonly kind: SignInMethodKind;
  /** The tables that hold it (a test checks that every table that signs a user in is here). */
  readonly entities: readonly (abstract new (...args: never[]) => unknown)[];
  /** Whether it is a second factor for step-up (`SENSITIVE_ACTIONS`). */
  readonly secondFactor: boolean;
  /** Whether the user has it now. */
  inUse(user: User): Promise<boolean>;
  /** Removes the user's method `id` (null: all of this kind) inside the transaction. */
  remove(
    manager: EntityManager,
    userId: string,
    id: string | null,
  ): Promise<Ended>;
}

/** Tells the owner that a method was added, with a link that removes it ("this was not me"). */
export type MethodAddedNotifier = (
  manager: EntityManager,
  user: User,
  added: RemovedSignInMethod,
) => Promise<void>;

/**
 * The registry of sign-in methods, where the pre-account-takeover rules (docs/security.md) are
 * written once:
 * - while the address is unproven and verification is on, no method can be added (403
 *   `email_not_verified`), so nothing planted before the proof can outlive it;
 * - every addition is announced to the owner with a single-use link that removes it;
 * - events remove methods through here (`CredentialLifecycle`'s `sign-in-methods` target): a
 *   reset that is the first proof of the address removes every one.
 */
@Injectable()
export class SignInMethods implements CredentialEnder {
  readonly targets = ['sign-in-methods'] as const;
  private readonly methods = new Map<SignInMethodKind, SignInMethod>();
  private notifier: MethodAddedNotifier | undefined;
  private readonly verificationOn: boolean;

  constructor(
    lifecycle: CredentialLifecycle,
    config: ConfigService<Settings, true>,
  ) {
    lifecycle.register(this);
    this.verificationOn =
      config.get('users.EMAIL_VERIFICATION', { infer: true }) !== 'off';
  }

  register(method: SignInMethod): void {
    if (this.methods.has(method.kind))
      throw new Error(`sign-in method ${method.kind} is registered twice`);
    this.methods.set(method.kind, method);
  }

  notifyWith(notifier: MethodAddedNotifier): void {
    this.notifier = notifier;
  }

  /** Every registered method (for the registry test and for removing them all). */
  get registered(): readonly SignInMethod[] {
    return SIGN_IN_METHOD_KINDS.flatMap((kind) => {
      const method = this.methods.get(kind);
      return method ? [method] : [];
    });
  }

  /** 403 `email_not_verified` while the user's address is unproven and verification is on. */
  assertMayAdd(user: User): void {
    if (this.verificationOn && user.emailVerifiedAt === null)
      throw new ProblemException('email_not_verified', {
        detail:
          'Verify your email address first (the link mailed to it): until then no passkey, authenticator or recovery code can be added',
      });
  }

  /**
   * Records, inside the transaction that adds it, that `method` was added: checked once more
   * (`assertMayAdd`) and announced to the owner with its removal link.
   */
  async added(
    manager: EntityManager,
    user: User,
    method: SignInMethodRef,
    label: string,
  ): Promise<void> {
    this.assertMayAdd(user);
    if (!this.notifier)
      throw new Error('SignInMethods has no notifier for added methods');
    await this.notifier(manager, user, { method, label });
  }

  /** Whether the user has a second factor (TOTP, or a passkey) that step-up can ask for. */
  async hasSecondFactor(user: User): Promise<boolean> {
    for (const method of this.registered)
      if (method.secondFactor && (await method.inUse(user))) return true;
    return false;
  }

  /** Removes one method of the user (or all of a kind, with a null id) inside the transaction. */
  remove(
    manager: EntityManager,
    userId: string,
    method: SignInMethodRef,
  ): Promise<Ended> {
    const registered = this.methods.get(method.kind);
    if (!registered)
      throw new Error(`sign-in method ${method.kind} is not registered`);
    return registered.remove(manager, userId, method.id);
  }

  async end(manager: EntityManager, context: EndingContext): Promise<Ended> {
    const { effects, subject } = context;
    const effect = effects['sign-in-methods'];
    if (effect === 'its-own') {
      if (!subject.method)
        throw new Error('an its-own removal needs the subject’s method');
      return this.remove(manager, subject.userId, subject.method);
    }
    const removed: RemovedSignInMethod[] = [];
    const afterCommit: Array<() => Promise<void>> = [];
    for (const method of this.registered) {
      const ended = await method.remove(manager, subject.userId, null);
      removed.push(...(ended.removed ?? []));
      if (ended.afterCommit) afterCommit.push(ended.afterCommit);
    }
    return {
      removed,
      afterCommit: async () => {
        for (const run of afterCommit) await run();
      },
    };
  }
}
