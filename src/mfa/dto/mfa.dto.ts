import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PasswordConfirmationDto } from '../../users/dto/password-confirmation.dto.js';
import { SecondFactorDto } from './second-factor.dto.js';

export class ConfirmTotpDto {
  @ApiProperty({
    description: 'A code the newly set-up authenticator app shows',
    example: '123456',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(16)
  code: string;
}

export class DisableTotpDto extends IntersectionType(
  PasswordConfirmationDto,
  SecondFactorDto,
) {}

export class MfaVerifyDto extends SecondFactorDto {
  @ApiProperty({
    description: 'From the `mfa_required` answer of the login',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  mfa_token: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({
    description: 'The shared secret (base32), for typing into an app by hand',
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret: string;

  @ApiProperty({
    description: 'The same as an otpauth:// URI (SHA-1, 6 digits, 30 s)',
    example:
      'otpauth://totp/Warden:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Warden',
  })
  otpauthUri: string;

  @ApiProperty({
    description:
      'The URI as a QR code: a data:image/png;base64 URL for an <img>',
  })
  qrCode: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    description:
      'Single-use recovery codes, shown this once: Warden keeps only their hashes',
    type: [String],
    example: ['abcde-fghjk', 'mnpqr-stuvw'],
  })
  recoveryCodes: string[];
}

export class MfaStatusDto {
  @ApiProperty({ description: 'Whether a TOTP authenticator is on' })
  totp: boolean;

  @ApiProperty({ description: 'Unused recovery codes', example: 10 })
  recoveryCodesLeft: number;
}
