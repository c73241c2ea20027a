import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { BearerChallengeException } from '../bearer-challenge.exception.js';
import { readBearerCredentials } from '../bearer-token.js';
import type { Principal } from '../principal.js';

/**
 * Authenticates with passport-jwt (`JwtStrategy`) and turns every failure into the RFC 6750
 * answer: no credentials → 401 with a bare challenge; a malformed Authorization header → 400
 * `invalid_request`; a token that fails any check → 401 `invalid_token` with a generic message.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (principal) return principal;
    // A failure inside validate() (the database, say) is not the client's fault: rethrow it.
    if (error instanceof Error) throw error;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    switch (readBearerCredentials(request).kind) {
      case 'absent':
        throw new BearerChallengeException(
          undefined,
          'Authentication required',
        );
      case 'malformed':
        throw new BearerChallengeException(
          'invalid_request',
          'The Authorization header must be "Bearer <token>"',
        );
      case 'token':
        throw new BearerChallengeException(
          'invalid_token',
          info instanceof Error && info.name === 'TokenExpiredError'
            ? 'The access token has expired'
            : 'The access token is invalid',
        );
    }
  }
}
