import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { lockUserRow } from '../database/user-row-lock.js';
import {
  CREDENTIAL_EVENTS,
  CREDENTIAL_TARGETS,
  type CredentialEvent,
  type CredentialSubject,
  type CredentialTarget,
  type EventEffects,
  type SignInMethodRef,
} from './credential-events.js';

/** A sign-in method an event removed, as the owner's notice names it. */
export interface RemovedSignInMethod {
  method: SignInMethodRef;
  /** `the passkey "Phone"`, `the authenticator app`, `the recovery codes`. */
  label: string;
}

/** What an ender is told: the event's effects, whom it is about, and what was removed so far. */
export interface EndingContext {
  event: CredentialEvent;
  effects: EventEffects;
  subject: CredentialSubject;
  /** Sign-in methods the event removed (filled in first, by the `sign-in-methods` ender). */
  removed: readonly RemovedSignInMethod[];
}

/** What an ender did: methods it removed, and work for after the commit. */
export interface Ended {
  removed?: RemovedSignInMethod[];
  /** Runs once the transaction has committed (cache invalidation on every instance). */
  afterCommit?: () => Promise<void>;
}

/**
 * The module that keeps one kind of thing derived from a credential (sessions, `mfa_token`s,
 * links, …) and ends it inside the event's transaction when the table says so.
 */
export interface CredentialEnder {
  readonly targets: readonly CredentialTarget[];
  end(manager: EntityManager, context: EndingContext): Promise<Ended | void>;
}

/** The result of an event: what it removed, and what is left to do after the commit. */
export interface CredentialEventOutcome {
  removed: readonly RemovedSignInMethod[];
  /** Call once the transaction has committed. */
  afterCommit(): Promise<void>;
}

/**
 * Applies `CREDENTIAL_EVENTS`: the one place that decides what a credential event ends, and
 * ends it in the transaction of the change, so that nothing derived from the old credential
 * outlives the commit. Each kind of thing is ended by the module that owns it, registered here
 * (`register`); start-up fails if a target of the table has no ender, or has two.
 */
@Injectable()
export class CredentialLifecycle implements OnApplicationBootstrap {
  private readonly enders: CredentialEnder[] = [];

  register(ender: CredentialEnder): void {
    this.enders.push(ender);
  }

  onApplicationBootstrap(): void {
    for (const target of CREDENTIAL_TARGETS) {
      const owners = this.enders.filter((ender) =>
        ender.targets.includes(target),
      ).length;
      if (owners !== 1)
        throw new Error(
          `credential target ${target} has ${owners} enders registered with CredentialLifecycle; it needs exactly one`,
        );
    }
  }

  /**
   * Ends, inside `manager`'s transaction, what `event` ends for `subject`. The user's events run
   * one at a time (the user's row is locked first: two at once would each read, then delete and
   * write, the same rows). Sign-in methods go first, so that the links and sessions made with
   * them can follow.
   */
  async apply(
    manager: EntityManager,
    event: CredentialEvent,
    subject: CredentialSubject,
  ): Promise<CredentialEventOutcome> {
    await lockUserRow(manager, subject.userId);
    const effects = CREDENTIAL_EVENTS[event];
    const removed: RemovedSignInMethod[] = [];
    const afterCommit: Array<() => Promise<void>> = [];
    const ordered = [
      ...this.enders.filter((ender) =>
        ender.targets.includes('sign-in-methods'),
      ),
      ...this.enders.filter(
        (ender) => !ender.targets.includes('sign-in-methods'),
      ),
    ];
    for (const ender of ordered) {
      const relevant = ender.targets.some(
        (target) => effects[target] === 'ends' || effects[target] === 'its-own',
      );
      if (!relevant) continue;
      const ended = await ender.end(manager, {
        event,
        effects,
        subject,
        removed,
      });
      if (ended?.removed) removed.push(...ended.removed);
      if (ended?.afterCommit) afterCommit.push(ended.afterCommit);
    }
    return {
      removed,
      afterCommit: async () => {
        for (const run of afterCommit) await run();
      },
    };
  }
}
