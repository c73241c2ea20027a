import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Repository } from 'typeorm';
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
}

/**
 * Tokens for emailed links: 256 random bits, stored as SHA-256 only, typed, short-lived, single
 * use. A new token of a kind retires the user's older ones of that kind.
 */
@Injectable()
export class AccountTokensService {
  constructor(
    @InjectRepository(AccountToken)
    private readonly tokens: Repository<AccountToken>,
  ) {}

  /**
   * A fresh token (returned once, never stored) of `kind` for the user, valid `ttlSeconds`.
   * Pass the manager of the transaction that writes the mail carrying it. Issues for one user
   * take turns, so that of two at once the later one retires the earlier.
   */
  async issue(
    manager: EntityManager,
    userId: string,
    kind: AccountTokenKind,
    ttlSeconds: number,
    newEmail: string | null = null,
  ): Promise<string> {
    await lockUserRow(manager, userId);
    const now = Date.now();
    await manager.update(
      AccountToken,
      { userId, kind, usedAt: IsNull() },
      { usedAt: new Date(now) },
    );
    const token = newSecretToken();
    await manager.insert(AccountToken, {
      userId,
      kind,
      tokenHash: hashSecretToken(token),
      newEmail,
      expiresAt: new Date(now + ttlSeconds * 1000),
      usedAt: null,
    });
    return token;
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
    const spent = await manager.findOneByOrFail(AccountToken, { tokenHash });
    return { userId: spent.userId, newEmail: spent.newEmail };
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
    return found ? { userId: found.userId, newEmail: found.newEmail } : null;
  }

  /** Retires every unused token of the user (of these kinds, or all): after a password change. */
  async revokeAll(
    userId: string,
    kinds?: readonly AccountTokenKind[],
    manager: EntityManager = this.tokens.manager,
  ): Promise<void> {
    const unused = { userId, usedAt: IsNull() };
    const now = new Date();
    if (!kinds) {
      await manager.update(AccountToken, unused, { usedAt: now });
      return;
    }
    for (const kind of kinds)
      await manager.update(AccountToken, { ...unused, kind }, { usedAt: now });
  }
}
