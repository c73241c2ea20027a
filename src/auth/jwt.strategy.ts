import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-jwt';
import { attachAccount } from '../users/current-account.decorator.js';
import { BearerAuthenticationService } from './bearer-authentication.service.js';
import type { TokenRequirements } from '../access/auth.decorator.js';

/** What `JwtAuthGuard` tells the strategy about the route (passport's authenticate options). */
export interface JwtAuthenticateOptions {
  requirements: TokenRequirements;
}

const NO_REQUIREMENTS: TokenRequirements = { scopes: [], sensitive: null };

/**
 * passport-jwt's strategy, registered as `jwt` for `JwtAuthGuard`, with every decision handed to
 * `BearerAuthenticationService`. passport-jwt's own pipeline is bypassed (`authenticate` is
 * overridden): it reports failures as jsonwebtoken errors and cannot tell a missing header from a
 * malformed one, which RFC 6750 answers differently, so it would split the checks between
 * passport, this class and the guard again. Its constructor options are required by
 * passport-jwt and never consulted.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly bearer: BearerAuthenticationService) {
    super({
      jwtFromRequest: () => null,
      secretOrKeyProvider: (_request, _token, done) =>
        done(new Error('JwtStrategy verifies through authenticate()')),
    });
  }

  override authenticate(
    request: { headers: IncomingHttpHeaders; body?: unknown },
    options?: JwtAuthenticateOptions,
  ): void {
    this.bearer
      .authenticate(
        request.headers.authorization,
        options?.requirements ?? NO_REQUIREMENTS,
        request.body,
      )
      .then(
        (result) => {
          if (!result.ok) return this.fail(result.failure, 401);
          attachAccount(request, result.account);
          this.success(result.principal);
        },
        (error: unknown) => this.error(error as Error),
      );
  }

  /** Never called: `authenticate` above does the whole job. */
  validate(): never {
    throw new Error('JwtStrategy authenticates through authenticate()');
  }
}
