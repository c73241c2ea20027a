import { type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { readBearerCredentials } from '../bearer-token.js';
import type { Principal } from '../principal.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

/**
 * For routes where a bearer token is welcome but not required (logout, revocation): without an
 * Authorization header `request.user` is null and the request goes on; a token that is
 * presented must be valid, with the same RFC 6750 answers as `JwtAuthGuard`, so a stale or
 * forged token is never quietly taken for "anonymous".
 */
@Injectable()
export class OptionalJwtAuthGuard extends JwtAuthGuard {
  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!principal && readBearerCredentials(request).kind === 'absent') {
      if (error instanceof Error) throw error;
      return null as TUser;
    }
    return super.handleRequest(error, principal, info, context);
  }
}
