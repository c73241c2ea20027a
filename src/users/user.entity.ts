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
