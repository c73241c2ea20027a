import { ApiProperty } from '@nestjs/swagger';

/** RFC 8414 §2: the fields that apply to Warden. */
export class OAuthMetadataDto {
  @ApiProperty({ format: 'uri', example: 'https://auth.example.com' })
  issuer: string;

  @ApiProperty({ format: 'uri' })
  authorization_endpoint: string;

  @ApiProperty({ format: 'uri' })
  token_endpoint: string;

  @ApiProperty({ format: 'uri' })
  revocation_endpoint: string;

  @ApiProperty({
    format: 'uri',
    description:
      'The ID-token keys, and the access-token keys in the RS256 and ES256 modes',
  })
  jwks_uri: string;

  @ApiProperty({ type: [String] })
  scopes_supported: string[];

  @ApiProperty({ type: [String], example: ['code'] })
  response_types_supported: string[];

  @ApiProperty({ type: [String], example: ['query'] })
  response_modes_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['authorization_code', 'password', 'refresh_token'],
  })
  grant_types_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['S256'],
    description: 'PKCE (RFC 7636): S256 only, and required of every client',
  })
  code_challenge_methods_supported: string[];

  @ApiProperty({
    description:
      'RFC 9207: every authorization response carries `iss`, against mix-up attacks',
  })
  authorization_response_iss_parameter_supported: boolean;

  @ApiProperty({
    type: [String],
    example: ['none', 'client_secret_basic', 'client_secret_post'],
  })
  token_endpoint_auth_methods_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['none', 'client_secret_basic', 'client_secret_post'],
  })
  revocation_endpoint_auth_methods_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['RS256', 'PS256', 'ES256'],
    description: 'What a private_key_jwt client assertion may be signed with',
  })
  token_endpoint_auth_signing_alg_values_supported: string[];

  @ApiProperty({ type: [String], example: ['RS256', 'PS256', 'ES256'] })
  revocation_endpoint_auth_signing_alg_values_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['ES256', 'RS256', 'PS256'],
    description: 'What a DPoP proof may be signed with (RFC 9449 §5.1)',
  })
  dpop_signing_alg_values_supported: string[];

  @ApiProperty({ format: 'uri' })
  introspection_endpoint: string;

  @ApiProperty({
    type: [String],
    example: ['client_secret_basic', 'client_secret_post'],
  })
  introspection_endpoint_auth_methods_supported: string[];

  @ApiProperty({ type: [String], example: ['RS256', 'PS256', 'ES256'] })
  introspection_endpoint_auth_signing_alg_values_supported: string[];

  @ApiProperty({ format: 'uri' })
  service_documentation: string;
}

/** OpenID Connect Discovery 1.0 §3: RFC 8414's fields and the OpenID Provider's own. */
export class OpenIdConfigurationDto extends OAuthMetadataDto {
  @ApiProperty({ format: 'uri' })
  userinfo_endpoint: string;

  @ApiProperty({
    format: 'uri',
    description: 'OpenID Connect RP-Initiated Logout 1.0',
  })
  end_session_endpoint: string;

  @ApiProperty({ type: [String], example: ['public'] })
  subject_types_supported: string[];

  @ApiProperty({ type: [String], example: ['RS256'] })
  id_token_signing_alg_values_supported: string[];

  @ApiProperty({
    type: [String],
    example: ['urn:warden:acr:pwd', 'urn:warden:acr:mfa'],
  })
  acr_values_supported: string[];

  @ApiProperty({ type: [String], example: ['none', 'login', 'consent'] })
  prompt_values_supported: string[];

  @ApiProperty({ type: [String] })
  claims_supported: string[];

  @ApiProperty({ example: false })
  claims_parameter_supported: boolean;

  @ApiProperty({ example: false })
  request_parameter_supported: boolean;

  @ApiProperty({ example: false })
  request_uri_parameter_supported: boolean;
}
