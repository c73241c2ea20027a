import { BadRequestException, Injectable } from '@nestjs/common';

export interface PasswordContext {
  username: string;
  email: string;
}

/**
 * The rules that need more than one field (lengths are checked by the DTOs, before hashing):
 * a password must not be, or contain, the account's username, its email's local part or the
 * service's name. No composition rules (NIST SP 800-63B).
 */
@Injectable()
export class PasswordPolicy {
  assertAcceptable(password: string, context: PasswordContext): void {
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
