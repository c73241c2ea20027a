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

/**
 * Proving an address with its link also asks for the account's password: whoever opens a link
 * for an account someone else created does not adopt that account (they reset its password
 * instead, which removes everything its creator added).
 */
export class VerifyEmailDto extends AccountTokenDto {
  @ApiProperty({
    description:
      "The account's password (someone who did not create the account resets it instead: POST /auth/password/forgot)",
    example: 'correct horse battery staple',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
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
