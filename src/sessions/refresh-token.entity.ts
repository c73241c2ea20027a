import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/**
 * One refresh token of a session's family, stored only as its SHA-256. A rotated token stays
 * (with `rotatedAt` set) so that presenting it again is recognised as reuse.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @CreatedAtColumn()
  createdAt: Date;

  @Column({ type: Date, nullable: true })
  rotatedAt: Date | null;
}
