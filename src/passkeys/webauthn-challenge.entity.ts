import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/**
 * A challenge handed out for a WebAuthn ceremony: kept in the database (so any instance can
 * finish a ceremony another began), as SHA-256 only, single use and short-lived.
 */
@Entity({ name: 'webauthn_challenges' })
export class WebAuthnChallenge {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  challengeHash: string;

  @Column({ type: 'varchar', length: 16 })
  ceremony: 'registration' | 'authentication';

  /** Registration: the user adding a passkey. Authentication: null (the passkey names the user). */
  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  usedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
