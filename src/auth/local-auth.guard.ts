import {
  BadRequestException,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { validationPipe } from '../common/validation.js';
import type { User } from '../users/user.entity.js';
import { LoginDto } from './dto/login.dto.js';

/**
 * Password login through passport-local (`LocalStrategy`). Guards run before pipes, so the body
 * is validated here with the global rules first: a missing, empty, repeated or non-string field
 * is a 400, and argon2 never sees anything but a string. The body is then the validated
 * `LoginDto`, every field of it, so what the strategy reads is what the DTO declares. The
 * `email` alias is copied into `username`, so passport-local always finds both of its fields
 * in the body and never falls back to the query string (its default), where credentials would
 * end up in access logs.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Body: unknown }>>();
    if (typeof request.body !== 'object' || request.body === null) {
      throw new BadRequestException(
        'Send username (or email) and password as a JSON or form-encoded body',
      );
    }
    const login = (await validationPipe.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    })) as LoginDto;
    login.username ??= login.email;
    request.body = login;
    return (await super.canActivate(context)) as boolean;
  }
}

/** The account whose password `LocalAuthGuard` verified. */
export const PasswordVerifiedUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): User =>
    context.switchToHttp().getRequest<FastifyRequest & { user: User }>().user,
);
