import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type Client,
  CLIENT_GRANT_TYPES,
  type ClientJwks,
  type ClientGrantType,
  ID_TOKEN_ALGORITHMS,
  type IdTokenAlgorithm,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '../client.entity.js';

/**
 * A registered client as RFC 7591 §3.2.1 names its metadata, so that tools that speak dynamic
 * registration read it as they expect. `client_secret` is present once, when it is created.
 */
export class ClientDto {
  @ApiProperty({ example: 'pQ3x9fK2mZr7TnV0aB4cD8eF' })
  client_id: string;

  @ApiPropertyOptional({
    description:
      "A confidential client's secret: shown once, at creation; Warden keeps only its SHA-256",
  })
  client_secret?: string;

  @ApiProperty({ example: 'Acme Notes' })
  client_name: string;

  @ApiProperty({ type: [String] })
  redirect_uris: string[];

  @ApiProperty({ type: [String] })
  post_logout_redirect_uris: string[];

  @ApiProperty({
    type: [String],
    enum: CLIENT_GRANT_TYPES,
    example: ['authorization_code', 'refresh_token'],
  })
  grant_types: ClientGrantType[];

  @ApiProperty({ enum: TOKEN_ENDPOINT_AUTH_METHODS })
  token_endpoint_auth_method: TokenEndpointAuthMethod;

  @ApiProperty({ example: 'openid profile email account' })
  scope: string;

  @ApiProperty({
    description: "The API owner's own application: no consent is asked",
  })
  first_party: boolean;

  @ApiProperty({
    description: 'May ask the introspection endpoint about any token',
  })
  allow_introspection: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "A private_key_jwt client's public keys",
  })
  jwks?: ClientJwks;

  @ApiProperty({
    description: 'Every token request must carry a DPoP proof (RFC 9449 §5.2)',
  })
  dpop_bound_access_tokens: boolean;

  @ApiProperty({ enum: ID_TOKEN_ALGORITHMS })
  id_token_signed_response_alg: IdTokenAlgorithm;

  @ApiProperty()
  created_at: string;

  static from(client: Client, secret: string | null = null): ClientDto {
    return {
      client_id: client.clientId,
      ...(secret !== null && { client_secret: secret }),
      client_name: client.name,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris,
      grant_types: client.grantTypes,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      scope: client.scope,
      first_party: client.firstParty,
      allow_introspection: client.allowIntrospection,
      ...(client.jwks !== null && { jwks: client.jwks }),
      dpop_bound_access_tokens: client.dpopBoundAccessTokens,
      id_token_signed_response_alg: client.idTokenSignedResponseAlg,
      created_at: client.createdAt.toISOString(),
    };
  }
}
