import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { RateLimitedException } from '../common/rate-limited.exception.js';
import type { Settings } from '../config/settings.js';
import { RedisConnections } from '../redis/redis.module.js';
import { RedisOrMemory } from '../redis/redis-or-memory.js';
import type { Redis } from 'ioredis';
import type { User } from './user.entity.js';

// Takes one attempt from the account's budget, or reports how long it stays locked. The window
// starts with the first attempt and is never extended. Returns {attempts taken, ms left}; a
// negative count means refused.
const RESERVE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[2]) then
  return {-1, redis.call('PTTL', KEYS[1])}
end
count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, 0}`;

// Gives an attempt back (its check never ran to a verdict).
const RELEASE = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('DECR', KEYS[1]) <= 0 then
  redis.call('DEL', KEYS[1])
end
return 0`;

const MAX_LOCAL_ENTRIES = 100_000;

/** A password check run against the budget, or refused because the budget is spent. */
export type AttemptResult =
  | { locked: false; valid: boolean }
  | { locked: true; retryAfterSeconds: number };

/**
 * Whether a right password may reset the account's failure count: not while the account has a
 * second factor, whose codes spend the same budget; otherwise every right password, at login or
 * on any route that asks for it again, would buy a fresh budget of code guesses.
 */
export const passwordClearsFailures = (user: User | null): boolean =>
  !user?.mfaEnabled;

/** The 429 every route answers for an account whose budget is spent. */
export const accountLockedException = (
  retryAfterSeconds: number,
): RateLimitedException =>
  new RateLimitedException(
    'Too many failed password attempts for this account',
    retryAfterSeconds,
  );

interface LocalCount {
  count: number;
  expiresAt: number;
}

/**
 * The per-account budget of password checks (docs/security.md, "Rate limits and brute force"): at most `LOGIN_FAILURE_LIMIT` failed
 * checks within `LOGIN_FAILURE_WINDOW`, then 429 with `Retry-After` until the window that started
 * with the first failure closes, whatever the client's IP. Every route that checks a password
 * spends from it: login, the password grant, email change, password change, account deletion.
 *
 * An attempt is *reserved* atomically before the password is hashed, so a burst of parallel
 * guesses gets exactly `limit` verifications and 429 for the rest, on one instance (a
 * synchronous in-memory count) and across instances (one Lua script in Redis). A success resets
 * the count (docs/security-tests.md, RL-04); a check that fails for
 * another reason (the database, say) gives its attempt back. An unknown account behaves exactly
 * like a known one. Counts live in Redis when it is configured, else (or while Redis fails) in
 * this instance's memory.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly logger = new Logger('Security');
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly local = new Map<string, LocalCount>();
  private readonly counts: RedisOrMemory<Redis>;

  constructor(redis: RedisConnections, config: ConfigService<Settings, true>) {
    this.counts = new RedisOrMemory(
      redis.commands,
      this.logger,
      'login counters',
    );
    this.limit = config.get('users.LOGIN_FAILURE_LIMIT', { infer: true });
    this.windowMs =
      config.get('users.LOGIN_FAILURE_WINDOW', { infer: true }) * 1000;
    this.prefix = `${config.get('redis.REDIS_KEY_PREFIX', { infer: true })}login-failures:`;
  }

  /**
   * Runs `verify` (a password or code check) against the account's budget: `locked`, before any
   * hashing, when the budget is spent; otherwise the attempt is counted until `verify` says true.
   * `keepCount`: a success gives its own attempt back but leaves earlier failures counted (see
   * `passwordClearsFailures`).
   */
  async check(
    account: string,
    ip: string,
    verify: () => Promise<boolean>,
    { keepCount = false }: { keepCount?: boolean } = {},
  ): Promise<AttemptResult> {
    if (this.limit === 0) return { locked: false, valid: await verify() };
    const key = this.key(account);
    const taken = await this.reserve(key);
    if (taken < 0) {
      this.logger.warn(
        `login refused: account locked (account ${this.label(key)}…, ip ${ip})`,
      );
      return { locked: true, retryAfterSeconds: -taken };
    }
    let valid: boolean;
    try {
      valid = await verify();
    } catch (error) {
      await this.release(key);
      throw error;
    }
    if (valid) {
      if (keepCount) await this.release(key);
      else await this.reset(key);
    } else if (taken === this.limit) {
      this.logger.warn(
        `account locked after ${taken} failed password checks: ${this.label(key)}… (last ip ${ip})`,
      );
    }
    return { locked: false, valid };
  }

  /** Lifts the account's lock and forgets its failures: after a password reset by mail. */
  clear(account: string): Promise<void> {
    return this.reset(this.key(account));
  }

  /** Attempts taken so far (≥ 1), or minus the seconds the account stays locked. */
  private reserve(key: string): Promise<number> {
    return this.counts.run(
      async (redis) => {
        const [count, ttlMs] = (await redis.eval(
          RESERVE,
          1,
          key,
          this.windowMs,
          this.limit,
        )) as [number, number];
        return count >= 0 ? count : -this.lockSeconds(ttlMs);
      },
      () => {
        const entry = this.localEntry(key) ?? {
          count: 0,
          expiresAt: Date.now() + this.windowMs,
        };
        if (entry.count >= this.limit) {
          return -this.lockSeconds(entry.expiresAt - Date.now());
        }
        entry.count++;
        this.setLocal(key, entry);
        return entry.count;
      },
    );
  }

  private async release(key: string): Promise<void> {
    await this.counts.run(
      async (redis) => void (await redis.eval(RELEASE, 1, key)),
      () => {
        const entry = this.localEntry(key);
        if (entry && --entry.count <= 0) this.local.delete(key);
      },
    );
  }

  private async reset(key: string): Promise<void> {
    this.local.delete(key);
    await this.counts.run(
      async (redis) => void (await redis.del(key)),
      () => undefined,
    );
  }

  private lockSeconds(remainingMs: number): number {
    // A key without a TTL cannot be made by RESERVE; should one exist, lock for a window.
    const ms = remainingMs > 0 ? remainingMs : this.windowMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  /** Accounts are named by a hash, so neither logs nor Redis hold usernames or emails. */
  private key(account: string): string {
    return this.prefix + createHash('sha256').update(account).digest('hex');
  }

  private label(key: string): string {
    return key.slice(this.prefix.length, this.prefix.length + 12);
  }

  private localEntry(key: string): LocalCount | undefined {
    const entry = this.local.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.local.delete(key);
      return undefined;
    }
    return entry;
  }

  private setLocal(key: string, entry: LocalCount): void {
    if (!this.local.has(key) && this.local.size >= MAX_LOCAL_ENTRIES) {
      const oldest = this.local.keys().next();
      if (!oldest.done) this.local.delete(oldest.value);
    }
    this.local.set(key, entry);
  }
}
