import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, LessThan, Not, Repository } from 'typeorm';
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
import { MfaToken } from './mfa-token.entity.js';

/** How long a login waits for its second factor. */
export const MFA_TOKEN_TTL_SECONDS = 300;

/** A pending login: whose it is and the scopes it will get. */
export interface PendingMfaLogin {
  userId: string;
  scope: string;
}

/** `mfa_token`s: see `MfaToken`. */
@Injectable()
export class MfaTokensService implements CredentialEnder {
  readonly targets = ['mfa-tokens'] as const;

  constructor(
    @InjectRepository(MfaToken) private readonly tokens: Repository<MfaToken>,
    lifecycle: CredentialLifecycle,
  ) {
    lifecycle.register(this);
  }

  /**
   * Spends the user's pending logins inside a credential event's transaction: a password proven
   * before the event cannot complete a sign-in after it.
   */
  async end(manager: EntityManager, context: EndingContext): Promise<void> {
    await manager.update(
      MfaToken,
      { userId: context.subject.userId, usedAt: IsNull() },
      { usedAt: new Date() },
    );
  }

  /** A fresh token for a login whose password was right; the user's spent ones are forgotten. */
  async issue(userId: string, scope: string): Promise<string> {
    const now = new Date();
    await this.tokens.delete([
      { userId, usedAt: Not(IsNull()) },
      { userId, expiresAt: LessThan(now) },
    ]);
    const token = newSecretToken();
    await this.tokens.insert({
      userId,
      tokenHash: hashSecretToken(token),
      scope,
      expiresAt: new Date(now.getTime() + MFA_TOKEN_TTL_SECONDS * 1000),
      usedAt: null,
    });
    return token;
  }

  /**
   * The login a usable token stands for, without spending it: a wrong code leaves the token
   * usable (the per-account lock bounds the guesses); `consume` spends it once a code is right.
   */
  async peek(token: string): Promise<PendingMfaLogin | null> {
    if (!isPlausibleSecretToken(token)) return null;
    const found = await this.tokens.findOneBy(
      unspent<MfaToken>({ tokenHash: hashSecretToken(token) }),
    );
    return found ? { userId: found.userId, scope: found.scope } : null;
  }

  /** Spends the token: true for exactly one of any number of concurrent calls. */
  consume(token: string): Promise<boolean> {
    return spendOnce(this.tokens.manager, MfaToken, {
      tokenHash: hashSecretToken(token),
    });
  }
}
