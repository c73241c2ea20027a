import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/** What an emailed link may do; a token of one kind is worthless for another. */
export type AccountTokenKind =
  'email-verification' | 'password-reset' | 'email-change';

/**
 * A single-use token sent by mail (verification, reset, email change). Only its SHA-256 is
 * stored; it is spent by one conditional UPDATE, so of any number of concurrent uses exactly one
 * succeeds.
 */
@Entity({ name: 'account_tokens' })
export class AccountToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: AccountTokenKind;

  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  /** For `email-change`: the address that becomes the account's when the token is used. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  newEmail: string | null;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  usedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
