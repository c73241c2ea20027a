import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { clientInfo } from '../decorators/current-user.decorator.js';
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
      passReqToCallback: true,
    });
  }

  async validate(
    request: FastifyRequest,
    username: string,
    password: string,
  ): Promise<User> {
    const user = await this.auth.authenticate(
      username,
      password,
      clientInfo(request),
    );
    // One answer for an unknown user, a wrong password and a disabled account.
    if (!user) throw new UnauthorizedException(LOGIN_FAILED_MESSAGE);
    return user;
  }
}
