import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { User } from '../../users/user.entity.js';
import { AuthService } from '../auth.service.js';

export const LOGIN_FAILED_MESSAGE = 'Incorrect username or password';

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly auth: AuthService) {
    super({
      usernameField: 'username',
      passwordField: 'password',
      session: false,
    });
  }

  async validate(username: string, password: string): Promise<User> {
    const user = await this.auth.validateCredentials(username, password);
    // One answer for an unknown user, a wrong password and a disabled account.
    if (!user) throw new UnauthorizedException(LOGIN_FAILED_MESSAGE);
    return user;
  }
}
