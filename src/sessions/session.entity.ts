import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';
import { User } from '../users/user.entity.js';

export const SESSION_END_REASONS = [
  'logout',
  'logout-all',
  'revoked',
  'password-changed',
  'disabled',
  'ended-by-admin',
  'refresh-token-reuse',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** One login: its id is the `sid` claim of every access token issued for it. */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user: Relation<User>;

  /** The scopes granted at login; a refresh may narrow them, never widen them. */
  @Column({ type: 'text' })
  scope: string;

  /** How the user signed in: RFC 8176 method values, space-separated (`pwd otp mfa`). */
  @Column({ type: 'varchar', length: 64, default: 'pwd' })
  amr: string;

  /** When the user signed in (the `auth_time` claim); refreshes keep it. */
  @Column({ type: Date })
  authTime: Date;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @Column({ type: Date })
  lastUsedAt: Date;

  /** Moves forward on every refresh, never past `absoluteExpiresAt`. */
  @Column({ type: Date })
  idleExpiresAt: Date;

  @Column({ type: Date })
  absoluteExpiresAt: Date;

  @Column({ type: Date, nullable: true })
  endedAt: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  endReason: SessionEndReason | null;
}
