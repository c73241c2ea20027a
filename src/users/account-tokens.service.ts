import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  type EntityManager,
  type FindOptionsWhere,
  In,
  IsNull,
  Repository,
} from 'typeorm';
import type {
  CredentialTarget,
  SignInMethodRef,
} from '../credentials/credential-events.js';
import {
  CredentialLifecycle,
  type CredentialEnder,
  type EndingContext,
} from '../credentials/credential-lifecycle.service.js';
import {
  hashSecretToken,
  isPlausibleSecretToken,
  newSecretToken,
} from '../common/secret-token.js';
import { spendOnce, unspent } from '../database/spend-once.js';
import { lockUserRow } from '../database/user-row-lock.js';
import { AccountToken, type AccountTokenKind } from './account-token.entity.js';

/** What a spent token was for. */
export interface SpentAccountToken {
  userId: string;
  newEmail: string | null;
  /** For `sign-in-method-removal`: the method it removes. */
  method: SignInMethodRef | null;
}

/** What a token is issued for, beyond its kind. */
export interface AccountTokenPurpose {
  /** `email-change`: the address the account moves to. */
  newEmail?: string;
  /** `sign-in-method-removal`: the method the link removes. */
  method?: SignInMethodRef;
}

/** Which column of the credential-event table ends which kind of link. */
const LINK_TARGETS: Record<AccountTokenKind, CredentialTarget> = {
  'email-verification': 'email-verification-links',
  'password-reset': 'password-reset-links',
  'email-change': 'email-change-links',
  'sign-in-method-removal': 'sign-in-method-removal-links',
};

const spent = (token: AccountToken): SpentAccountToken => ({
  userId: token.userId,
  newEmail: token.newEmail,
  method: token.methodKind
    ? { kind: token.methodKind, id: token.methodId }
    : null,
});

/**
 * Tokens for emailed links: 256 random bits, stored as SHA-256 only, typed, short-lived, single
 * use. A new token of a kind retires the user's older ones of that kind.
 */
@Injectable()
export class AccountTokensService implements CredentialEnder {
  readonly targets = Object.values(LINK_TARGETS);

  constructor(
    @InjectRepository(AccountToken)
    private readonly tokens: Repository<AccountToken>,
    lifecycle: CredentialLifecycle,
  ) {
    lifecycle.register(this);
  }

  /**
   * A fresh token (returned once, never stored) of `kind` for the user, valid `ttlSeconds`.
   * Pass the manager of the transaction that writes the mail carrying it. It retires the user's
   * older token of the kind (of a removal link: of the same method), and issues for one user take
   * turns, so that of two at once the later one retires the earlier.
   */
  async issue(
    manager: EntityManager,
    userId: string,
    kind: AccountTokenKind,
    ttlSeconds: number,
    { newEmail, method }: AccountTokenPurpose = {},
  ): Promise<string> {
    await lockUserRow(manager, userId);
    const now = Date.now();
    await manager.update(
      AccountToken,
      {
        userId,
        kind,
        usedAt: IsNull(),
        ...(method ? sameMethod(method) : {}),
      },
      { usedAt: new Date(now) },
    );
    const token = newSecretToken();
    await manager.insert(AccountToken, {
      userId,
      kind,
      tokenHash: hashSecretToken(token),
      newEmail: newEmail ?? null,
      methodKind: method?.kind ?? null,
      methodId: method?.id ?? null,
      expiresAt: new Date(now + ttlSeconds * 1000),
      usedAt: null,
    });
    return token;
  }

  /** Retires the links the event ends (`CREDENTIAL_EVENTS`), inside its transaction. */
  async end(manager: EntityManager, context: EndingContext): Promise<void> {
    const { effects, subject, removed } = context;
    const kinds = (Object.keys(LINK_TARGETS) as AccountTokenKind[]).filter(
      (kind) => effects[LINK_TARGETS[kind]] === 'ends',
    );
    if (kinds.length > 0) await this.revokeAll(subject.userId, kinds, manager);
    if (effects['sign-in-method-removal-links'] === 'its-own') {
      const methods = [
        ...removed.map((entry) => entry.method),
        ...(subject.method ? [subject.method] : []),
      ];
      for (const method of methods)
        await manager.update(
          AccountToken,
          {
            userId: subject.userId,
            kind: 'sign-in-method-removal',
            usedAt: IsNull(),
            ...sameMethod(method),
          },
          { usedAt: new Date() },
        );
    }
  }

  /**
   * Spends a token of `kind`: what it was for, or null when it is unknown, of another kind,
   * expired or already spent (callers give all of these one answer). One conditional UPDATE, so
   * of concurrent uses exactly one succeeds.
   */
  async consume(
    kind: AccountTokenKind,
    token: string,
    manager: EntityManager = this.tokens.manager,
  ): Promise<SpentAccountToken | null> {
    if (!isPlausibleSecretToken(token)) return null;
    const tokenHash = hashSecretToken(token);
    if (!(await spendOnce(manager, AccountToken, { tokenHash, kind })))
      return null;
    return spent(await manager.findOneByOrFail(AccountToken, { tokenHash }));
  }

  /**
   * What a usable token of `kind` is for, without spending it: a reset checks the new password
   * first, so that a weak one does not waste the link. `consume` still decides.
   */
  async peek(
    kind: AccountTokenKind,
    token: string,
  ): Promise<SpentAccountToken | null> {
    if (!isPlausibleSecretToken(token)) return null;
    const found = await this.tokens.findOneBy(
      unspent<AccountToken>({ tokenHash: hashSecretToken(token), kind }),
    );
    return found ? spent(found) : null;
  }

  /** Retires every unused token of the user (of these kinds, or all). */
  async revokeAll(
    userId: string,
    kinds?: readonly AccountTokenKind[],
    manager: EntityManager = this.tokens.manager,
  ): Promise<void> {
    const unused: FindOptionsWhere<AccountToken> = {
      userId,
      usedAt: IsNull(),
      ...(kinds ? { kind: In([...kinds]) } : {}),
    };
    await manager.update(AccountToken, unused, { usedAt: new Date() });
  }
}

/** The removal links of one method: a passkey by its id, TOTP or the recovery codes by kind. */
const sameMethod = (
  method: SignInMethodRef,
): FindOptionsWhere<AccountToken> => ({
  methodKind: method.kind,
  methodId: method.id ?? IsNull(),
});
