import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 7009 §2.1, for the OpenAPI document; the endpoint parses its own form. */
export class RevocationRequestDto {
  @ApiProperty({ description: 'A refresh token or an access token' })
  token: string;

  @ApiPropertyOptional({
    enum: ['refresh_token', 'access_token'],
    description: 'Only orders the search; every kind is tried',
  })
  token_type_hint?: string;
}
