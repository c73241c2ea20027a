import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { In, IsNull, LessThan, Repository } from 'typeorm';
import { ExpiringCache } from '../cache/expiring-cache.js';
import { InvalidationBus } from '../cache/invalidation-bus.js';
import { ClientAccessToken } from './client-token.entity.js';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 50_000;
/** How often an instance deletes rows of tokens expired for an hour (on the next issue). */
const SWEEP_INTERVAL_MS = 60_000;
const KEEP_EXPIRED_MS = 3_600_000;

/** A client token as introspection describes it. */
export interface ClientTokenState {
  clientId: string;
  scope: string;
  expiresAt: Date;
}

/**
 * The access tokens of the client credentials grant, one row each: whether one may still be used
 * is asked on every request it makes, cached like a session's state and dropped on every instance
 * (InvalidationBus) the moment it is revoked, so revocation and a removed client take effect at
 * once everywhere.
 */
@Injectable()
export class ClientTokensService {
  private nextSweep = 0;
  /** Token id → its client and expiry (ms), 0 once revoked or unknown. */
  private readonly activeUntil = new ExpiringCache<
    string,
    { clientId: string | null; until: number }
  >(CACHE_TTL_MS, CACHE_MAX_ENTRIES);

  constructor(
    @InjectRepository(ClientAccessToken)
    private readonly tokens: Repository<ClientAccessToken>,
    private readonly bus: InvalidationBus,
  ) {
    bus.attach('client-token', this.activeUntil);
  }

  /** Records a token before it is handed out. */
  async record(
    id: string,
    clientId: string,
    scope: string,
    expiresAt: Date,
  ): Promise<void> {
    // Swept by an issue at most every SWEEP_INTERVAL_MS per instance: a busy client runs one
    // DELETE a minute, not one per token.
    if (Date.now() >= this.nextSweep) {
      this.nextSweep = Date.now() + SWEEP_INTERVAL_MS;
      await this.tokens.delete({
        expiresAt: LessThan(new Date(Date.now() - KEEP_EXPIRED_MS)),
      });
    }
    await this.tokens.insert({
      id,
      clientId,
      scope,
      expiresAt,
      revokedAt: null,
    });
  }

  /** Whether the token `id`, issued to `clientId`, is recorded, unrevoked and unexpired. */
  async isActive(id: string, clientId: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const state = await this.activeUntil.get(
      id,
      async () => {
        const token = await this.tokens.findOneBy({ id });
        return {
          clientId: token?.clientId ?? null,
          until:
            token && token.revokedAt === null ? token.expiresAt.getTime() : 0,
        };
      },
      this.bus.cacheable,
    );
    return state.clientId === clientId && state.until > Date.now();
  }

  /** What introspection says of an active token, or null. */
  async activeState(id: string): Promise<ClientTokenState | null> {
    if (!isUUID(id)) return null;
    const token = await this.tokens.findOneBy({ id, revokedAt: IsNull() });
    return token && token.expiresAt.getTime() > Date.now() ? token : null;
  }

  /** Revokes one token of `clientId`; nothing for another client's (RFC 7009 §2.1). */
  async revoke(id: string, clientId: string): Promise<void> {
    if (!isUUID(id)) return;
    const { affected } = await this.tokens.update(
      { id, clientId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    if (affected) await this.bus.publish({ kind: 'client-token', ids: [id] });
  }

  /** Revokes every live token of a client (it is being removed). */
  async revokeForClient(clientId: string): Promise<void> {
    const live = await this.tokens.find({
      select: { id: true },
      where: { clientId, revokedAt: IsNull() },
    });
    if (live.length === 0) return;
    const ids = live.map((token) => token.id);
    await this.tokens.update({ id: In(ids) }, { revokedAt: new Date() });
    await this.bus.publish({ kind: 'client-token', ids });
  }
}
