import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { SecondFactorProof } from '../mfa.service.js';

/** A code from the authenticator app, or one of the recovery codes: exactly one of them. */
export class SecondFactorDto {
  @ApiPropertyOptional({
    description: 'The 6-digit code the authenticator app shows now',
    example: '123456',
  })
  // Checked whenever present, and required when `recovery_code` is absent.
  @ValidateIf(
    (dto: SecondFactorDto) =>
      dto.code !== undefined || dto.recovery_code === undefined,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(16)
  code?: string;

  @ApiPropertyOptional({
    description:
      'One of the recovery codes, in place of `code` (each works once)',
    example: 'abcde-fghjk',
  })
  @ValidateIf((dto: SecondFactorDto) => dto.recovery_code !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  recovery_code?: string;
}

/** The proof a validated `SecondFactorDto` carries; both at once is a 400 naming them. */
export function secondFactorProof(dto: SecondFactorDto): SecondFactorProof {
  if (dto.code !== undefined && dto.recovery_code !== undefined)
    throw new BadRequestException(
      'Send either code or recovery_code, not both',
    );
  if (dto.code !== undefined) return { code: dto.code };
  if (dto.recovery_code !== undefined)
    return { recoveryCode: dto.recovery_code };
  throw new BadRequestException('code or recovery_code is required');
}
