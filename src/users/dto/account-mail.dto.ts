import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField, NewPasswordField } from './user-fields.js';

/** The token of a mailed link (the `token` query parameter of its URL). */
export class AccountTokenDto {
  @ApiProperty({
    description: "The `token` parameter of the mailed link's URL",
    example: 'pQ3m1pW0cE2b7vZ9hY4xJ8kL5nR6tA1sD0fG3hJ2kL8',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  token: string;
}

export class ResetPasswordDto extends AccountTokenDto {
  @NewPasswordField('newPassword')
  newPassword: string;
}

export class EmailAddressDto {
  @EmailField({ optional: false })
  email: string;
}

export class OptionalEmailAddressDto {
  @EmailField({ optional: true })
  email?: string;
}

/** The answer of the routes that mail a link to an address given by anyone. */
export class MailAcceptedDto {
  @ApiProperty({
    example:
      'If an account with this address exists, a link is on its way to it.',
  })
  message: string;
}
