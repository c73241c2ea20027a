import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_SCOPES } from '../../roles/scopes.js';
import { SUPPORTED_GRANT_TYPES } from '../grants/token-grants.js';
import { MFA_OTP_GRANT } from '../sign-in-outcomes.js';

/**
 * The form of `POST /auth/token` (RFC 6749 §4.3.2 and §6), for the OpenAPI document only: the
 * endpoint parses its own parameters so that errors come back in the RFC 6749 §5.2 shape and
 * unknown parameters are ignored, as §3.2 requires.
 */
export class TokenRequestDto {
  @ApiProperty({ enum: SUPPORTED_GRANT_TYPES, example: 'password' })
  grant_type: string;

  @ApiPropertyOptional({
    description: 'Username or email (password grant)',
    example: 'jane_doe',
  })
  username?: string;

  @ApiPropertyOptional({
    description: 'Password grant',
    example: 'correct horse battery staple',
  })
  password?: string;

  @ApiPropertyOptional({ description: 'refresh_token grant' })
  refresh_token?: string;

  @ApiPropertyOptional({
    description: `${MFA_OTP_GRANT} grant: from the \`mfa_required\` answer of the password grant`,
  })
  mfa_token?: string;

  @ApiPropertyOptional({
    description: `${MFA_OTP_GRANT} grant: the authenticator's 6-digit code`,
    example: '123456',
  })
  otp?: string;

  @ApiPropertyOptional({
    description: `${MFA_OTP_GRANT} grant: a recovery code, in place of \`otp\``,
  })
  recovery_code?: string;

  @ApiPropertyOptional({
    description: `Space-separated subset of: ${ALL_SCOPES.join(', ')}. Omitted: every scope your role grants.`,
    example: 'account todos:read',
  })
  scope?: string;
}
