import {
  BadRequestException,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { validationPipe } from '../../common/validation.js';
import { LoginDto } from '../dto/login.dto.js';

/**
 * Password login through passport-local. Guards run before pipes, so the body is validated here
 * with the global rules first: a missing, empty, repeated or non-string field is a 400, and
 * argon2 never sees anything but a string. The `email` alias is copied into `username`, so
 * passport-local always finds both fields in the body and never falls back to the query string
 * (its default), where credentials would end up in access logs.
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
    request.body = {
      username: login.username ?? login.email,
      password: login.password,
    };
    return (await super.canActivate(context)) as boolean;
  }
}
