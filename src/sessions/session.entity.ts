import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { CredentialEvent } from '../credentials/credential-events.js';
import { CreatedAtColumn } from '../database/timestamps.js';
import { User } from '../users/user.entity.js';

/**
 * Why a session ended: the user's own logout or revocation, reuse of a refresh token, or the
 * credential event that ended it (`CREDENTIAL_EVENTS`). Rows ended before credential events
 * existed say `disabled` or `ended-by-admin`.
 */
export type SessionEndReason =
  | 'logout'
  | 'logout-all'
  | 'revoked'
  | 'refresh-token-reuse'
  | 'authorization-code-reuse'
  | 'client-removed'
  | 'consent-revoked'
  | CredentialEvent
  | 'disabled'
  | 'ended-by-admin';

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

  /** The passkey the user signed in with, if any: removing it ends this session. */
  @Column({ type: 'uuid', nullable: true })
  passkeyId: string | null;

  /**
   * For a session issued to a registered client through the authorization code flow: the
   * browser session it came from. Ending that one ends this one (`SessionsService`).
   */
  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  /** The registered client (`client_id`) this session's tokens were issued to, if any. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientId: string | null;

  /**
   * For a browser session (the hosted sign-in pages' `__Host-warden` cookie): the SHA-256 of
   * the cookie's secret. Such a session has no refresh tokens and issues none itself.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  browserTokenHash: string | null;

  /**
   * For a public client's session whose tokens are DPoP-bound (RFC 9449 §5): the thumbprint of
   * the key its refresh token is bound to. Every refresh must carry a proof with that key.
   */
  @Column({ type: 'varchar', length: 43, nullable: true })
  dpopJkt: string | null;

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
