import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';

/** `POST /auth/login`, as JSON or as a form. `email` may stand in for `username`. */
export class LoginDto {
  @ApiPropertyOptional({
    description: 'Username or email address',
    example: 'jane_doe',
  })
  // Checked whenever present, and required when `email` is absent.
  @ValidateIf(
    (login: LoginDto) =>
      login.username !== undefined || login.email === undefined,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  username?: string;

  @ApiPropertyOptional({
    description: 'Accepted in place of `username`',
    example: 'jane@example.com',
  })
  @ValidateIf((login: LoginDto) => login.email !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email?: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
}
