import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SessionsService } from '../sessions/sessions.service.js';
import { Consent } from './consent.entity.js';

/** What users have allowed third-party clients: asked once per scope, remembered, revocable. */
@Injectable()
export class ConsentsService {
  constructor(
    @InjectRepository(Consent) private readonly consents: Repository<Consent>,
    private readonly sessions: SessionsService,
  ) {}

  /** Whether the user has allowed this client every one of `scopes`. */
  async covers(
    userId: string,
    clientId: string,
    scopes: readonly string[],
  ): Promise<boolean> {
    const consent = await this.consents.findOneBy({ userId, clientId });
    if (!consent) return false;
    const allowed = new Set(consent.scope.split(' '));
    return scopes.every((scope) => allowed.has(scope));
  }

  /** Adds `scopes` to what the user has allowed the client (one row per user and client). */
  async grant(
    userId: string,
    clientId: string,
    scopes: readonly string[],
  ): Promise<void> {
    const consent = await this.consents.findOneBy({ userId, clientId });
    const scope = [
      ...new Set([...(consent?.scope.split(' ') ?? []), ...scopes]),
    ]
      .filter(Boolean)
      .join(' ');
    // Two tabs consenting at once both insert: the loser's conflict is ignored and it updates.
    await this.consents
      .createQueryBuilder()
      .insert()
      .values({ userId, clientId, scope })
      .orIgnore()
      .execute();
    await this.consents.update({ userId, clientId }, { scope });
  }

  /** The user's consents, newest first. */
  listForUser(userId: string): Promise<Consent[]> {
    return this.consents.find({
      where: { userId },
      order: { updatedAt: 'DESC', id: 'ASC' },
    });
  }

  /**
   * Takes a consent back: the client must ask again, and the sessions it holds for this user
   * end (what the consent let it have does not outlive it). False when there was none.
   */
  async revoke(userId: string, clientId: string): Promise<boolean> {
    const { affected } = await this.consents.delete({ userId, clientId });
    if (!affected) return false;
    await this.sessions.endForClient(clientId, userId);
    return true;
  }

  async deleteForClient(clientId: string): Promise<void> {
    await this.consents.delete({ clientId });
  }
}
