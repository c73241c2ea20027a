import type { JsonWebKey } from 'node:crypto';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../database/timestamps.js';

/** The grants a registered client may use at the token endpoint. */
export const CLIENT_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
] as const;
export type ClientGrantType = (typeof CLIENT_GRANT_TYPES)[number];

/** The grants of an application that signs users in: what a client gets when it names none. */
export const USER_GRANT_TYPES: readonly ClientGrantType[] = [
  'authorization_code',
  'refresh_token',
];

/** How a client authenticates at the token endpoint (RFC 7591 §2): `none` is a public client. */
export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;
export type TokenEndpointAuthMethod =
  (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** A client's public keys, as registered (RFC 7517 JWK set). */
export interface ClientJwks {
  keys: JsonWebKey[];
}

/** How a client's ID tokens may be signed: RS256 (OpenID Connect Core §15.1) or ES256. */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;
export type IdTokenAlgorithm = (typeof ID_TOKEN_ALGORITHMS)[number];

/**
 * An application registered to sign users in through Warden (RFC 6749 §2): public (a SPA or a
 * native app, which cannot keep a secret) or confidential (a server, which authenticates with a
 * secret Warden keeps only the SHA-256 of).
 */
@Entity({ name: 'clients' })
export class Client {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What the client sends as `client_id`: generated, never UUID-shaped (see ClientsService). */
  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  /** Shown to users on the consent page. */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The one way this client authenticates at the token endpoint; `none` for a public client. */
  @Column({ type: 'varchar', length: 32 })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  /**
   * A `private_key_jwt` client's public keys (RFC 7591 `jwks`): registered inline, never
   * fetched (Warden makes no outbound calls). Null for every other client.
   */
  @Column({ type: 'simple-json', nullable: true })
  jwks: ClientJwks | null;

  /** SHA-256 (hex) of a confidential client's secret; null for a public client. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  /** Exact-match redirect URIs (see redirect-uris.ts), in the order registered. */
  @Column({ type: 'simple-json' })
  redirectUris: string[];

  /** Where RP-initiated logout may send the browser afterwards. */
  @Column({ type: 'simple-json' })
  postLogoutRedirectUris: string[];

  @Column({ type: 'simple-array' })
  grantTypes: ClientGrantType[];

  /** The scopes the client may ask for, space-separated. */
  @Column({ type: 'text' })
  scope: string;

  /** An application of the API's owner: its users are not asked for consent. */
  @Column({ type: 'boolean', default: false })
  firstParty: boolean;

  /** May ask the introspection endpoint about any token (RFC 7662 §2.1): a resource server. */
  @Column({ type: 'boolean', default: false })
  allowIntrospection: boolean;

  /**
   * RFC 9449 §5.2 `dpop_bound_access_tokens`: every token request must carry a DPoP proof, so
   * this client's access tokens are never plain bearer tokens.
   */
  @Column({ type: 'boolean', default: false })
  dpopBoundAccessTokens: boolean;

  /** `id_token_signed_response_alg` (OpenID Connect Registration §2). */
  @Column({ type: 'varchar', length: 8, default: 'RS256' })
  idTokenSignedResponseAlg: IdTokenAlgorithm;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
