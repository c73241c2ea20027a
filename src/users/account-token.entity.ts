import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SignInMethodKind } from '../credentials/credential-events.js';
import { CreatedAtColumn } from '../database/timestamps.js';

/** What an emailed link may do; a token of one kind is worthless for another. */
export const ACCOUNT_TOKEN_KINDS = [
  'email-verification',
  'password-reset',
  'email-change',
  /** "This was not me": removes the sign-in method a notice is about, and ends every session. */
  'sign-in-method-removal',
] as const;
export type AccountTokenKind = (typeof ACCOUNT_TOKEN_KINDS)[number];

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

  /** For `sign-in-method-removal`: the kind of method the link removes. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  methodKind: SignInMethodKind | null;

  /** For `sign-in-method-removal`: which one (a passkey's id); null for TOTP and recovery codes. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  methodId: string | null;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  usedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
