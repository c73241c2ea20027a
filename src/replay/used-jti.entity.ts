import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A single-use identifier already seen (a DPoP proof's or a client assertion's `jti`), kept until
 * the proof could no longer be accepted anyway. Used when no Redis is configured, or while it fails.
 */
@Entity({ name: 'used_jtis' })
export class UsedJti {
  /** `<kind>:` and the SHA-256 (base64url) of what names the use: fixed length, whatever was sent. */
  @PrimaryColumn({ type: 'varchar', length: 80 })
  key: string;

  @Column({ type: Date })
  expiresAt: Date;
}
