import {
  EmailField,
  FullNameField,
  NewPasswordField,
  UsernameField,
} from '../../users/dto/user-fields.js';

export class SignupDto {
  @EmailField({ optional: false })
  email: string;

  @NewPasswordField()
  password: string;

  /** Made from the email's local part when omitted. */
  @UsernameField({ optional: true })
  username?: string;

  @FullNameField()
  fullName?: string | null;

  /** Accepted as an alias of `fullName` (older clients of the seed API send it). */
  @FullNameField()
  fullname?: string | null;
}
