import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AuthenticationResponseJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { SingleLineText } from '../../common/text-fields.js';
import type { Passkey } from '../passkey.entity.js';

const CREDENTIAL_JSON = {
  type: 'object',
  additionalProperties: true,
  description:
    'What @simplewebauthn/browser returns (the PublicKeyCredential as JSON): {id, rawId, response, type, clientExtensionResults}',
} as const;

export class PasskeyRegistrationDto {
  @ApiProperty(CREDENTIAL_JSON)
  @IsObject()
  response: RegistrationResponseJSON;

  @ApiPropertyOptional({
    description: 'A name to tell your passkeys apart',
    example: 'Laptop',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  @SingleLineText()
  name?: string;
}

export class PasskeyLoginDto {
  @ApiProperty(CREDENTIAL_JSON)
  @IsObject()
  response: AuthenticationResponseJSON;
}

export class PasskeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Laptop' })
  name: string;

  @ApiProperty({
    enum: ['singleDevice', 'multiDevice'],
    description: '`multiDevice`: synced between your devices',
  })
  deviceType: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsedAt: string | null;

  static from(passkey: Passkey): PasskeyDto {
    return {
      id: passkey.id,
      name: passkey.name,
      deviceType: passkey.deviceType,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    };
  }
}
