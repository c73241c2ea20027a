import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An access token a client was issued for itself (the client credentials grant): the token is a
 * JWT like a user's, but it has no session to end, so this row is what revocation, introspection
 * and the removal of its client end, on every instance. Rows are deleted some time after expiry.
 */
@Entity({ name: 'client_access_tokens' })
export class ClientAccessToken {
  /** The token's `jti`. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: Date })
  expiresAt: Date;

  @Column({ type: Date, nullable: true })
  revokedAt: Date | null;
}
