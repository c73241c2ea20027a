import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** The current password again, for an operation that must not rest on a token alone. */
export class PasswordConfirmationDto {
  @ApiProperty({
    description: 'Your current password, to confirm',
    example: 'correct horse battery staple',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
}
