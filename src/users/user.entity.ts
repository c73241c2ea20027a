import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/timestamps.js';
import type { Role } from '../roles/roles.js';

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Case preserved; unique case-insensitively (index on lower(username)). */
  @Column({ type: 'varchar', length: 32 })
  username: string;

  /** Stored lower-cased. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /**
   * The address's confusable skeleton (UTS #39 §4, `confusables.ts`): addresses that look alike
   * have the same one.
   */
  @Column({ type: 'text' })
  emailSkeleton: string;

  /**
   * The skeleton again, held (unique index) by one account per look-alike group, so that the
   * database refuses a second one even when two signups race: every address that is not all
   * ASCII holds its own; all-ASCII addresses may share a skeleton (the table maps `rn` to `m`),
   * and the oldest of them holds it for all, so that no non-ASCII copy of any of them can join.
   * Null for the others.
   */
  @Column({ type: 'text', nullable: true })
  emailSkeletonClaim: string | null;

  /** When the address was proved to be the user's (a mailed link was used); null until then. */
  @Column({ type: Date, nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  fullName: string | null;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'simple-array' })
  roles: Role[];

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** Whether a password login also needs a second factor (a confirmed TOTP authenticator). */
  @Column({ type: 'boolean', default: false })
  mfaEnabled: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
