import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7662 §2.1, for the OpenAPI document; the endpoint parses its own form. */
export class IntrospectionRequestDto {
  @ApiProperty({ description: 'An access token or a refresh token' })
  token: string;

  @ApiPropertyOptional({
    enum: ['access_token', 'refresh_token'],
    description: 'Only orders the search; every kind is tried',
  })
  token_type_hint?: string;
}

/** RFC 7800 confirmation: the key a token is bound to. */
export class ConfirmationDto {
  @ApiProperty({
    description: 'The SHA-256 JWK thumbprint (RFC 7638) of the DPoP key',
    example: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
  })
  jkt: string;
}

/**
 * RFC 7662 §2.2. An inactive token (unknown, expired, revoked, its session ended or its account
 * disabled) is `{"active": false}` and nothing else, whatever the reason.
 */
export class IntrospectionResponseDto {
  @ApiProperty()
  active: boolean;

  @ApiPropertyOptional({ example: 'users:read' })
  scope?: string;

  @ApiPropertyOptional({
    description:
      'The client the token was issued to (absent for the password grant)',
  })
  client_id?: string;

  @ApiPropertyOptional({ description: "The user's username (user tokens)" })
  username?: string;

  @ApiPropertyOptional({ enum: ['Bearer', 'DPoP', 'refresh_token'] })
  token_type?: string;

  @ApiPropertyOptional({
    type: () => ConfirmationDto,
    description: "RFC 9449 §6.2: a DPoP-bound token's key",
  })
  cnf?: ConfirmationDto;

  @ApiPropertyOptional({ description: 'Seconds since the epoch' })
  exp?: number;

  @ApiPropertyOptional({ description: 'Seconds since the epoch' })
  iat?: number;

  @ApiPropertyOptional({
    description: "The user's id, or the client_id of a client's own token",
  })
  sub?: string;

  @ApiPropertyOptional()
  aud?: string;

  @ApiPropertyOptional()
  iss?: string;

  @ApiPropertyOptional()
  jti?: string;

  @ApiPropertyOptional({ description: 'The session (user tokens)' })
  sid?: string;
}
