import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { clientInfo } from '../common/client-info.js';
import { EMAIL_NOT_VERIFIED } from '../credentials/sign-in-methods.service.js';
import { accountLockedException } from '../users/login-attempts.service.js';
import type { User } from '../users/user.entity.js';
import { AuthService, EMAIL_NOT_VERIFIED_MESSAGE } from './auth.service.js';
import type { LoginDto } from './dto/login.dto.js';

export const LOGIN_FAILED_MESSAGE = 'Incorrect username or password';

/** `POST /auth/login`: the validated `LoginDto` (see `LocalAuthGuard`) into `authenticate()`. */
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
    request: FastifyRequest<{ Body: LoginDto }>,
    username: string,
    password: string,
  ): Promise<User> {
    const result = await this.auth.authenticate(
      { identifier: username, password },
      clientInfo(request),
    );
    switch (result.outcome) {
      case 'ok':
        return result.user;
      case 'locked':
        throw accountLockedException(result.retryAfterSeconds);
      case 'unverified':
        throw new ForbiddenException({
          statusCode: 403,
          error: EMAIL_NOT_VERIFIED,
          message: EMAIL_NOT_VERIFIED_MESSAGE,
        });
      // One answer for an unknown user, a wrong password and a disabled account.
      case 'invalid_credentials':
      case 'disabled':
        throw new UnauthorizedException(LOGIN_FAILED_MESSAGE);
    }
  }
}
