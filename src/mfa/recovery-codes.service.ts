import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { lockUserRow } from '../database/user-row-lock.js';
import { hashSecretToken } from '../common/secret-token.js';
import { RecoveryCode } from './recovery-code.entity.js';

export const RECOVERY_CODE_COUNT = 10;
// Lower-case letters and digits without the look-alikes (0/o, 1/l/i): 31 symbols, 10 of them
// make ~49.5 bits per code, far beyond what the per-account lock lets anyone try.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;
const CODE = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

/** Shown as `xxxxx-xxxxx`; typed with or without the dash, spaces or capitals. */
const normalize = (code: string): string =>
  code.replace(/[\s-]/g, '').toLowerCase();

/** Single-use recovery codes for when the authenticator is lost; stored as SHA-256 only. */
@Injectable()
export class RecoveryCodesService {
  constructor(
    @InjectRepository(RecoveryCode)
    private readonly codes: Repository<RecoveryCode>,
  ) {}

  /**
   * A new set for the user (returned once, never stored); the old set stops working. Two
   * replacements at once leave one set, not both.
   */
  async replace(manager: EntityManager, userId: string): Promise<string[]> {
    await lockUserRow(manager, userId);
    await manager.delete(RecoveryCode, { userId });
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
      Array.from(
        { length: CODE_LENGTH },
        () => ALPHABET[randomInt(ALPHABET.length)],
      ).join(''),
    );
    await manager.insert(
      RecoveryCode,
      codes.map((code) => ({
        userId,
        codeHash: hashSecretToken(code),
        usedAt: null,
      })),
    );
    return codes.map((code) => `${code.slice(0, 5)}-${code.slice(5)}`);
  }

  /** Spends one of the user's codes: true for exactly one of concurrent uses of it. */
  async consume(userId: string, code: string): Promise<boolean> {
    const normalized = normalize(code);
    if (!CODE.test(normalized)) return false;
    const { affected } = await this.codes.update(
      { userId, codeHash: hashSecretToken(normalized), usedAt: IsNull() },
      { usedAt: new Date() },
    );
    return affected === 1;
  }

  remaining(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  /** Removes every code of the user: how many were still unused. */
  async removeAll(manager: EntityManager, userId: string): Promise<number> {
    const unused = await manager.countBy(RecoveryCode, {
      userId,
      usedAt: IsNull(),
    });
    await manager.delete(RecoveryCode, { userId });
    return unused;
  }
}
