import { BadRequestException, Injectable } from '@nestjs/common';
import { isCommonPassword } from './common-passwords.js';

export interface PasswordContext {
  username: string;
  email: string;
}

/**
 * The rules beyond length (which the DTOs check before anything is hashed): a password must not
 * be a common one, nor be or contain the account's username, its email's local part or the
 * service's name. No composition rules (NIST SP 800-63B).
 */
@Injectable()
export class PasswordPolicy {
  assertAcceptable(password: string, context: PasswordContext): void {
    if (isCommonPassword(password)) {
      throw new BadRequestException(
        'password is too common: it appears on lists of breached and popular passwords; a few unrelated words make a strong one',
      );
    }
    const lowered = password.toLowerCase();
    const email = context.email.toLowerCase();
    const words = [context.username, email.split('@')[0] ?? '', 'warden']
      .map((word) => word.toLowerCase())
      .filter((word) => word.length >= 3);
    if (lowered === email || words.some((word) => lowered.includes(word))) {
      throw new BadRequestException(
        'password must not contain your username, your email address or the name of this service',
      );
    }
  }
}
