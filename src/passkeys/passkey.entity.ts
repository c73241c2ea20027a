import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/** A WebAuthn credential (a passkey) registered by a user; Warden keeps only its public key. */
@Entity({ name: 'passkeys' })
export class Passkey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  /** The authenticator's credential id, base64url; unique. */
  @Column({ type: 'varchar', length: 1024 })
  credentialId: string;

  /** COSE public key, base64url. */
  @Column({ type: 'text' })
  publicKey: string;

  /**
   * The authenticator's signature counter: each sign-in must report more than the last one
   * (unless the authenticator keeps none: always 0), or it may be a clone.
   */
  @Column({
    type: 'bigint',
    transformer: {
      to: (v: number) => v,
      from: (v: string | number) => Number(v),
    },
  })
  counter: number;

  @Column({ type: 'simple-array' })
  transports: string[];

  /** `multiDevice`: synced between devices (a software-protected key, `swk`); else `hwk`. */
  @Column({ type: 'varchar', length: 16 })
  deviceType: 'singleDevice' | 'multiDevice';

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @CreatedAtColumn()
  createdAt: Date;

  @Column({ type: Date, nullable: true })
  lastUsedAt: Date | null;
}
