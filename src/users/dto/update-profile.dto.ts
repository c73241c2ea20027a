import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EmailField, FullNameField, UsernameField } from './user-fields.js';

export class UpdateProfileDto {
  @FullNameField()
  fullName?: string | null;

  @UsernameField({ optional: true })
  username?: string;

  @EmailField({ optional: true })
  email?: string;

  @ApiPropertyOptional({
    description:
      'Required when `email` changes: the email is where account recovery goes',
    example: 'correct horse battery staple',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  currentPassword?: string;
}
