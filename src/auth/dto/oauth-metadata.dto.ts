import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 8414 §2: the fields that apply to Warden. */
export class OAuthMetadataDto {
  @ApiProperty({ format: 'uri', example: 'https://auth.example.com' })
  issuer: string;

  @ApiProperty({ format: 'uri' })
  token_endpoint: string;

  @ApiProperty({ format: 'uri' })
  revocation_endpoint: string;

  @ApiPropertyOptional({
    format: 'uri',
    description: 'Only in the RS256 and ES256 modes (HS256 has no public key)',
  })
  jwks_uri?: string;

  @ApiProperty({ type: [String] })
  scopes_supported: string[];

  @ApiProperty({
    type: [String],
    description: 'Empty: there is no authorization endpoint',
  })
  response_types_supported: string[];

  @ApiProperty({ type: [String], example: ['password', 'refresh_token'] })
  grant_types_supported: string[];

  @ApiProperty({ type: [String], example: ['none'] })
  token_endpoint_auth_methods_supported: string[];

  @ApiProperty({ type: [String], example: ['none'] })
  revocation_endpoint_auth_methods_supported: string[];

  @ApiProperty({ format: 'uri' })
  service_documentation: string;
}
