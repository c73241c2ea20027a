import {
  type BeforeApplicationShutdown,
  ConflictException,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { generateSecret, generateURI, verify } from 'otplib';
import { toDataURL } from 'qrcode';
import { type EntityManager, IsNull, MoreThan, Not, Repository } from 'typeorm';
import type { Settings } from '../config/settings.js';
import type { User } from '../users/user.entity.js';
import { SecretBox } from './secret-box.js';
import { TotpFactor } from './totp-factor.entity.js';

/** RFC 6238 defaults, which every authenticator app supports: SHA-1, 6 digits, 30 s. */
const PERIOD_SECONDS = 30;
/** One step either side of now: a phone clock up to ~30 s off still works. */
const DRIFT_SECONDS = PERIOD_SECONDS;
const CODE = /^\d{6}$/;

/** What an authenticator app needs to start: the secret, as text, as a URI and as a QR code. */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrCode: string;
}

/** How many factors are read at a time while re-sealing them with a new key. */
const RESEAL_BATCH = 500;

/** TOTP authenticators (otplib): enrolment, and the check of a code, each code usable once. */
@Injectable()
export class TotpService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Mfa');
  private resealing: Promise<void> | undefined;
  private stopping = false;
  private readonly issuer: string;

  constructor(
    @InjectRepository(TotpFactor)
    private readonly factors: Repository<TotpFactor>,
    private readonly box: SecretBox,
    config: ConfigService<Settings, true>,
  ) {
    this.issuer = config.get('app.PRODUCT_NAME', { infer: true });
  }

  /** With MFA_PREVIOUS_ENCRYPTION_KEY set, re-seals after start-up; requests do not wait. */
  onApplicationBootstrap(): void {
    if (!this.box.rotating) return;
    this.resealing = this.resealAll()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error(
          `re-sealing TOTP secrets stopped (${error instanceof Error ? error.message : String(error)}); it starts again at the next start`,
        ),
      );
  }

  /** Shutdown waits for the batch under way, not for the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.resealing;
  }

  /**
   * Moves every secret still sealed with MFA_PREVIOUS_ENCRYPTION_KEY to MFA_ENCRYPTION_KEY (until
   * then it opens with the previous key). A row is written only if nobody changed it meanwhile,
   * so instances doing this at once, or an enrolment in between, lose nothing.
   */
  async resealAll(): Promise<{ resealed: number; unreadable: number }> {
    let resealed = 0;
    let unreadable = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.factors.find({
        select: { userId: true, sealedSecret: true },
        where: after === undefined ? {} : { userId: MoreThan(after) },
        order: { userId: 'ASC' },
        take: RESEAL_BATCH,
      });
      if (batch.length === 0) break;
      // Rows are left to look at: once shutdown has begun, they wait for the next start.
      if (this.stopping) {
        this.logger.log(
          `TOTP secrets: ${resealed} re-sealed before shutdown; the rest are re-sealed at the next start`,
        );
        return { resealed, unreadable };
      }
      for (const { userId, sealedSecret } of batch) {
        const rotation = this.box.rotated(sealedSecret, userId);
        if (rotation.kind === 'resealed') {
          const { affected } = await this.factors.update(
            { userId, sealedSecret },
            { sealedSecret: rotation.value },
          );
          resealed += affected ?? 0;
        } else if (rotation.kind === 'unreadable') {
          unreadable++;
        }
      }
      after = batch[batch.length - 1].userId;
    }
    this.logger.log(
      `TOTP secrets: ${resealed} re-sealed with MFA_ENCRYPTION_KEY; none is left under MFA_PREVIOUS_ENCRYPTION_KEY, which can now be removed`,
    );
    if (unreadable > 0)
      this.logger.warn(
        `TOTP secrets: ${unreadable} open with neither key; those users sign in with a recovery code, or an admin turns their TOTP off (DELETE /users/:id/mfa)`,
      );
    return { resealed, unreadable };
  }

  /**
   * Starts (or starts over) an enrolment: a new secret, kept sealed until a code from it confirms
   * it. An authenticator that is already on must be turned off first.
   */
  async begin(user: User): Promise<TotpEnrolment> {
    const existing = await this.factors.findOneBy({ userId: user.id });
    if (existing?.enabledAt)
      throw new ConflictException(
        'TOTP is already on: turn it off first (DELETE /auth/mfa/totp)',
      );
    const secret = generateSecret();
    await this.factors.upsert(
      {
        userId: user.id,
        sealedSecret: this.box.seal(secret, user.id),
        enabledAt: null,
        lastUsedStep: null,
      },
      ['userId'],
    );
    const otpauthUri = generateURI({
      issuer: this.issuer,
      label: user.email,
      secret,
    });
    return { secret, otpauthUri, qrCode: await toDataURL(otpauthUri) };
  }

  /** Turns a pending enrolment on when `code` comes from its secret; false otherwise. */
  async confirm(
    manager: EntityManager,
    userId: string,
    code: string,
  ): Promise<boolean> {
    const factor = await manager.findOneBy(TotpFactor, { userId });
    if (!factor || factor.enabledAt) return false;
    const step = await this.matchingStep(factor, code);
    if (step === null) return false;
    // Conditional: of two confirmations at once (a double click), one turns it on and hands out
    // the recovery codes; the other finds it on already.
    const { affected } = await manager.update(
      TotpFactor,
      { userId, enabledAt: IsNull() },
      { enabledAt: new Date(), lastUsedStep: step },
    );
    return affected === 1;
  }

  /**
   * Whether `code` is a current code of the user's authenticator that has not been used yet.
   * The step is claimed with one conditional UPDATE, so a code (or an earlier one) works once
   * even when sent many times at once.
   */
  async check(userId: string, code: string): Promise<boolean> {
    const factor = await this.factors.findOneBy({ userId });
    if (!factor?.enabledAt) return false;
    const step = await this.matchingStep(factor, code);
    if (step === null) return false;
    const { affected } = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: step })
      .where('"userId" = :userId', { userId })
      .andWhere('("lastUsedStep" IS NULL OR "lastUsedStep" < :step)', { step })
      .execute();
    return affected === 1;
  }

  /** Removes the user's authenticator (or enrolment under way): whether one that was on went. */
  async remove(manager: EntityManager, userId: string): Promise<boolean> {
    const { affected } = await manager.delete(TotpFactor, {
      userId,
      enabledAt: Not(IsNull()),
    });
    await manager.delete(TotpFactor, { userId });
    return (affected ?? 0) > 0;
  }

  private async matchingStep(
    factor: TotpFactor,
    code: string,
  ): Promise<number | null> {
    if (!CODE.test(code)) return null;
    const secret = this.box.open(factor.sealedSecret, factor.userId);
    if (secret === null) return null;
    const result = await verify({
      secret,
      token: code,
      period: PERIOD_SECONDS,
      epochTolerance: DRIFT_SECONDS,
      afterTimeStep: factor.lastUsedStep ?? undefined,
    });
    // otplib types TOTP and HOTP results together; only TOTP ones carry a time step.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }
}
