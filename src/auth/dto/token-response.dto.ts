import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto.js';
import { ProblemDetailsDto } from '../../problems/problem-details.dto.js';

/** RFC 6749 §5.1 token response. */
export class TokenResponseDto {
  @ApiProperty({
    description: 'A JWT (RFC 9068 profile)',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9...',
  })
  access_token: string;

  @ApiProperty({
    enum: ['bearer', 'DPoP'],
    example: 'bearer',
    description:
      'DPoP when the request carried a DPoP proof: the access token is bound to its key (RFC 9449)',
  })
  token_type: 'bearer' | 'DPoP';

  @ApiProperty({
    description: 'Seconds until the access token expires',
    example: 900,
  })
  expires_in: number;

  @ApiPropertyOptional({
    description:
      'Opaque; exchange it at /auth/token (grant_type=refresh_token) or /auth/refresh. Rotated on every use.',
  })
  refresh_token?: string;

  @ApiProperty({ example: 'account todos:read todos:write posts:write' })
  scope: string;

  @ApiPropertyOptional({
    description:
      'OpenID Connect ID token (RS256): for a registered client granted `openid`',
  })
  id_token?: string;
}

export class SignupResponseDto extends TokenResponseDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;
}

/** Signup under EMAIL_VERIFICATION=required: the account exists, tokens wait for the mailed link. */
export class PendingSignupResponseDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;

  @ApiProperty({ enum: [true] })
  verification_required: true;
}

/** RFC 6749 §5.2 error response. */
export class OAuthErrorDto {
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_grant',
      'unsupported_grant_type',
      'invalid_scope',
    ],
    example: 'invalid_grant',
  })
  error: string;

  @ApiProperty({ example: 'Invalid username or password' })
  error_description: string;

  @ApiPropertyOptional({
    description:
      'With `invalid_grant`: the password was right and a second factor is due; send `mfa_token` with the code (grant_type=urn:warden:params:oauth:grant-type:mfa-otp)',
    enum: [true],
  })
  mfa_required?: true;

  @ApiPropertyOptional({
    description: 'With `mfa_required`: single use, valid for 5 minutes',
  })
  mfa_token?: string;
}

/** `POST /auth/login` when the password was right and a second factor is due. */
export class MfaRequiredDto extends ProblemDetailsDto {
  @ApiProperty({ enum: ['mfa_required'] })
  declare error: 'mfa_required';

  @ApiProperty({
    description: 'Single use, valid for 5 minutes; not a bearer token',
  })
  mfa_token: string;
}
