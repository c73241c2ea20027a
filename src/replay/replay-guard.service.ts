import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { LessThan, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { Settings } from '../config/settings.js';
import { RedisConnections } from '../redis/redis.module.js';
import { withPlaceholders } from '../database/dialect.js';
import { UsedJti } from './used-jti.entity.js';

/** What a single-use identifier is used for: each kind has its own namespace. */
export type ReplayKind = 'dpop' | 'client-assertion';

/** How often an instance deletes expired rows (on the next use after this long). */
const SWEEP_INTERVAL_MS = 30_000;

/**
 * Single use of `jti`s across every instance (DPoP proofs, RFC 9449 §11.1; client assertions,
 * RFC 7523 §3): the first use of an identifier wins, every later one, on any instance, is refused.
 * In Redis when `REDIS_URL` is set (`SET NX` with the expiry), in the database otherwise, and in
 * the database while Redis fails (never in one instance's memory, which another instance cannot
 * see). An identifier is remembered until `expiresAt`, when the proof it came with is refused for
 * its age anyway.
 */
@Injectable()
export class ReplayGuard {
  private readonly logger = new Logger('Security');
  private readonly prefix: string;
  private nextSweep = 0;
  private redisFailing = false;
  private readonly insertSql: string;
  private readonly expiresAtColumn: ColumnMetadata;

  constructor(
    @InjectRepository(UsedJti) private readonly used: Repository<UsedJti>,
    private readonly redis: RedisConnections,
    config: ConfigService<Settings, true>,
  ) {
    this.prefix = `${config.get('redis.REDIS_KEY_PREFIX', { infer: true })}jti:`;
    this.insertSql = withPlaceholders(
      used.manager.connection,
      'INSERT INTO "used_jtis" ("key", "expiresAt") VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING "key"',
    );
    this.expiresAtColumn =
      used.metadata.findColumnWithPropertyName('expiresAt')!;
  }

  /**
   * Whether this is the first use of `id` for `kind` (true), or a replay (false). `id` names the
   * use completely: a DPoP proof's key thumbprint and jti, a client's id and its assertion's jti.
   */
  async firstUse(
    kind: ReplayKind,
    id: string,
    expiresAt: Date,
  ): Promise<boolean> {
    const key = `${kind}:${createHash('sha256').update(id).digest('base64url')}`;
    const redis = this.redis.commands;
    if (redis) {
      try {
        const set = await redis.set(
          this.prefix + key,
          '1',
          // PX, not PXAT: Redis before 6.2 knows only the relative form.
          'PX',
          Math.max(expiresAt.getTime() - Date.now(), 1000),
          'NX',
        );
        if (this.redisFailing) {
          this.redisFailing = false;
          this.logger.log('Redis records single-use jtis again');
        }
        return set === 'OK';
      } catch (error) {
        // Said once per outage, not once per request.
        if (!this.redisFailing) {
          this.redisFailing = true;
          this.logger.warn(
            `Redis failed to record a ${kind} jti (${(error as Error).message}): single-use jtis go to the database until it answers`,
          );
        }
      }
    }
    return this.firstUseInDatabase(key, expiresAt);
  }

  /**
   * One statement, written out rather than built by TypeORM: this runs for every DPoP request
   * when there is no Redis. The primary key decides: a row that is there already is a replay.
   */
  private async firstUseInDatabase(
    key: string,
    expiresAt: Date,
  ): Promise<boolean> {
    if (Date.now() >= this.nextSweep) {
      this.nextSweep = Date.now() + SWEEP_INTERVAL_MS;
      await this.used.delete({ expiresAt: LessThan(new Date()) });
    }
    const inserted: unknown[] = await this.used.query(this.insertSql, [
      key,
      // As TypeORM stores the column, so that the sweep above compares like with like.
      this.used.manager.connection.driver.preparePersistentValue(
        expiresAt,
        this.expiresAtColumn,
      ),
    ]);
    return inserted.length > 0;
  }
}
