import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash } from 'node:crypto';
import type { Config } from '../config/environment.js';
import { RedisConnections } from '../redis/redis.module.js';

// INCR, and start the window on the first failure only: later failures never extend it.
const RECORD_FAILURE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

const MAX_LOCAL_ENTRIES = 100_000;

/**
 * The per-account failed-login counter (API.md §8): after `LOGIN_FAILURE_LIMIT` failures within
 * `LOGIN_FAILURE_WINDOW` the account answers 429 until the window that started with the first
 * failure closes, whatever the client's IP. A success resets it. The lock is always temporary,
 * and an unknown account behaves exactly like a known one. Counts live in Redis when it is
 * configured (shared by all instances), else (or while Redis fails) in this instance's memory.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly logger = new Logger('Security');
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly local = new Map<
    string,
    { count: number; expiresAt: number }
  >();

  constructor(
    private readonly redis: RedisConnections,
    config: ConfigService<Config, true>,
  ) {
    this.limit = config.get('LOGIN_FAILURE_LIMIT', { infer: true });
    this.windowMs = config.get('LOGIN_FAILURE_WINDOW', { infer: true }) * 1000;
    this.prefix = `${config.get('REDIS_KEY_PREFIX', { infer: true })}login-failures:`;
  }

  /** Seconds until this account may try again, or 0 when it may try now. */
  async lockedFor(account: string): Promise<number> {
    if (this.limit === 0) return 0;
    const key = this.key(account);
    const state = await this.shared(
      async (redis) => {
        const [count, ttl] = await redis
          .multi()
          .get(key)
          .pttl(key)
          .exec()
          .then((results) => (results ?? []).map(([, value]) => value));
        return { count: Number(count ?? 0), remainingMs: Number(ttl) };
      },
      () => {
        const entry = this.localEntry(key);
        return {
          count: entry?.count ?? 0,
          remainingMs: entry ? entry.expiresAt - Date.now() : 0,
        };
      },
    );
    return state.count >= this.limit
      ? Math.max(1, Math.ceil(state.remainingMs / 1000))
      : 0;
  }

  async recordFailure(account: string, ip: string): Promise<void> {
    if (this.limit === 0) return;
    const key = this.key(account);
    const count = await this.shared(
      async (redis) =>
        Number(await redis.eval(RECORD_FAILURE, 1, key, this.windowMs)),
      () => {
        const entry = this.localEntry(key) ?? {
          count: 0,
          expiresAt: Date.now() + this.windowMs,
        };
        entry.count++;
        this.setLocal(key, entry);
        return entry.count;
      },
    );
    if (count === this.limit) {
      this.logger.warn(
        `login locked after ${count} failures: account ${key.slice(this.prefix.length, this.prefix.length + 12)}… (last ip ${ip})`,
      );
    }
  }

  async reset(account: string): Promise<void> {
    if (this.limit === 0) return;
    const key = this.key(account);
    this.local.delete(key);
    await this.shared(
      async (redis) => void (await redis.del(key)),
      () => undefined,
    );
  }

  /** Accounts are named by a hash, so neither logs nor Redis hold usernames or emails. */
  private key(account: string): string {
    return this.prefix + createHash('sha256').update(account).digest('hex');
  }

  private async shared<T>(
    inRedis: (redis: NonNullable<RedisConnections['commands']>) => Promise<T>,
    inMemory: () => T,
  ): Promise<T> {
    const redis = this.redis.commands;
    if (redis) {
      try {
        return await inRedis(redis);
      } catch (error) {
        this.logger.error(
          `Redis failed (${(error as Error).message}): login counters use memory`,
        );
      }
    }
    return inMemory();
  }

  private localEntry(
    key: string,
  ): { count: number; expiresAt: number } | undefined {
    const entry = this.local.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.local.delete(key);
      return undefined;
    }
    return entry;
  }

  private setLocal(
    key: string,
    entry: { count: number; expiresAt: number },
  ): void {
    if (!this.local.has(key) && this.local.size >= MAX_LOCAL_ENTRIES) {
      const oldest = this.local.keys().next();
      if (!oldest.done) this.local.delete(oldest.value);
    }
    this.local.set(key, entry);
  }
}
