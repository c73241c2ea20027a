import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/**
 * The `mfa_token` of a login whose password was right and whose second factor is still due:
 * opaque (not a JWT, so useless as a bearer token), stored as SHA-256 only, short-lived, spent by
 * the one request that completes the login.
 */
@Entity({ name: 'mfa_tokens' })
export class MfaToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 64 })
  tokenHash: string;

  /** The scopes the login will get, decided when the password was checked. */
  @Column({ type: 'text' })
  scope: string;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  usedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
