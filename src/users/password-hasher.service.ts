import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { ConcurrencyLimit } from '../common/concurrency-limit.js';
import type { Settings } from '../config/settings.js';

// OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
const OWASP_MINIMUM_MEMORY_KIB = 19456;

/**
 * argon2id hashing. argon2 runs on libuv's thread pool, so hashing never blocks the event loop;
 * at most PASSWORD_HASH_CONCURRENCY hashes run at once, so a burst of logins neither takes
 * every core from the event loop nor holds ARGON2_MEMORY_KIB per request in flight.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly logger = new Logger(PasswordHasher.name);
  private readonly options: argon2.Options;
  private readonly slots: ConcurrencyLimit;
  private dummyHash = '';

  constructor(config: ConfigService<Settings, true>) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.get('users.ARGON2_MEMORY_KIB', { infer: true }),
      timeCost: config.get('users.ARGON2_TIME_COST', { infer: true }),
      parallelism: config.get('users.ARGON2_PARALLELISM', { infer: true }),
    };
    this.slots = new ConcurrencyLimit(
      config.get('users.PASSWORD_HASH_CONCURRENCY', { infer: true }),
    );
  }

  async onModuleInit(): Promise<void> {
    if ((this.options.memoryCost ?? 0) < OWASP_MINIMUM_MEMORY_KIB) {
      this.logger.warn(
        `ARGON2_MEMORY_KIB=${this.options.memoryCost} is below the OWASP minimum of ${OWASP_MINIMUM_MEMORY_KIB}; use it for tests only`,
      );
    }
    // Made once with the current settings, so that a login for an unknown account costs the
    // same as one for a known account (no user enumeration by timing).
    this.dummyHash = await this.hash(randomBytes(16).toString('hex'));
  }

  /** Hashes and verifications running now, and those waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return this.slots.load;
  }

  /**
   * Passwords are hashed in Unicode NFC (NIST SP 800-63B §5.1.1.2), so `é` typed as one code
   * point or as `e` plus a combining accent is the same password on every keyboard.
   */
  hash(password: string): Promise<string> {
    return this.slots.run(() =>
      argon2.hash(password.normalize('NFC'), this.options),
    );
  }

  /**
   * False for a wrong password and for a stored hash argon2 cannot read. A hash made before
   * passwords were normalised may hold a non-NFC password: that one is tried as typed, inside
   * the same slot, only when NFC changed it.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    const normalised = password.normalize('NFC');
    try {
      return await this.slots.run(
        async () =>
          (await argon2.verify(hash, normalised)) ||
          (normalised !== password && (await argon2.verify(hash, password))),
      );
    } catch {
      return false;
    }
  }

  /** Spends the time of one verification and always fails. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await this.verify(this.dummyHash, password);
    return false;
  }

  /**
   * True when the hash was made with other settings or another variant: `needsRehash` alone
   * compares only the parameters, so an argon2i or argon2d hash must be caught by its prefix.
   */
  needsRehash(hash: string): boolean {
    return (
      !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, this.options)
    );
  }
}
