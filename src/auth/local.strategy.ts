import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { clientInfo } from '../common/client-info.js';
import type { User } from '../users/user.entity.js';
import type { LoginDto } from './dto/login.dto.js';
import { PasswordSignIn } from './password-sign-in.service.js';
import { signInProblem } from './sign-in-outcomes.js';

/** `POST /auth/login`: the validated `LoginDto` (see `LocalAuthGuard`) into `PasswordSignIn`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly passwords: PasswordSignIn) {
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
    const result = await this.passwords.check(
      { identifier: username, password },
      clientInfo(request),
    );
    if (result.outcome !== 'ok') throw signInProblem(result);
    return result.user;
  }
}
