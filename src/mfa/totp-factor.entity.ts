import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/**
 * A user's TOTP authenticator (RFC 6238): at most one per user. It counts only once confirmed
 * with a code (`enabledAt`); until then it is an enrolment in progress.
 */
@Entity({ name: 'totp_factors' })
export class TotpFactor {
  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  /** The shared secret, sealed with MFA_ENCRYPTION_KEY (`SecretBox`), never stored in clear. */
  @Column({ type: 'text' })
  sealedSecret: string;

  @Column({ type: Date, nullable: true })
  enabledAt: Date | null;

  /**
   * The time step of the last code accepted: a code of that step or an earlier one is refused,
   * so a code cannot be used twice (RFC 6238 §5.2). Claimed by a conditional UPDATE.
   */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber() })
  lastUsedStep: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** node-postgres returns bigint as a string; time steps (~6·10^7) fit a number easily. */
function bigintNumber() {
  return {
    to: (value: number | null) => value,
    from: (value: string | number | null) =>
      value === null ? null : Number(value),
  };
}
