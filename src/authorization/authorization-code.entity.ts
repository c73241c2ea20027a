import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../database/timestamps.js';

/**
 * An authorization code (RFC 6749 §4.1.2), stored only as its SHA-256, with everything it is
 * bound to: the client, the redirect URI, the PKCE challenge (RFC 7636), the nonce and the
 * browser session it was issued in. Redeemed once (`redeemedAt`, set by a conditional update);
 * `sessionId` is the session its redemption started, which a second redemption ends.
 */
@Entity({ name: 'authorization_codes' })
export class AuthorizationCode {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid' })
  browserSessionId: string;

  @Column({ type: 'text' })
  redirectUri: string;

  /** BASE64URL(SHA-256(code_verifier)): only `S256` is accepted. */
  @Column({ type: 'varchar', length: 128 })
  codeChallenge: string;

  @Column({ type: 'text', nullable: true })
  nonce: string | null;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  redeemedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  sessionId: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
