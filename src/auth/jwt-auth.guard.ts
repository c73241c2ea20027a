import { ACR_MULTI_FACTOR } from '../sessions/authentication.js';
import {
  type ExecutionContext,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import {
  BEARER_REALM,
  HttpExceptionWithHeaders,
} from '../common/http-exception-with-headers.js';
import type { BearerFailure } from './bearer-authentication.service.js';
import {
  ROUTE_AUTH,
  type RouteAuth,
  type TokenRequirements,
} from '../access/auth.decorator.js';
import type { JwtAuthenticateOptions } from './jwt.strategy.js';
import type { Principal } from '../access/principal.js';
import type { ProblemCode } from '../problems/problem-types.js';
import { DPOP_ALGORITHMS } from './dpop-proofs.service.js';

const { TokenExpiredError } = jwt;

/** Every route is `@Auth()` unless it says otherwise. */
const DEFAULT_ROUTE_AUTH: RouteAuth = {
  mode: 'token',
  scopes: [],
  sensitive: null,
  clientScopes: null,
};
/** An `@OptionalAuth()` route: any valid user's token, and no client's. */
const NO_REQUIREMENTS: TokenRequirements = {
  scopes: [],
  sensitive: null,
  clientScopes: null,
};

type GuardedRequest = FastifyRequest & { user?: Principal | null };

/**
 * The bearer-token guard, registered globally (`APP_GUARD`): every route needs an access token
 * unless it is `@Public()` or `@OptionalAuth()`, and `@Auth(...scopes)` names the scopes. Passport
 * runs `JwtStrategy`, which asks `BearerAuthenticationService`; a failure becomes its RFC 6750
 * answer here (`challengeFor`). A controller may also name this guard in `@UseGuards`; the
 * second run finds the request already authenticated and does nothing.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly securityLog = new Logger('Security');
  // Worked out once per route, not per request.
  private readonly routes = new WeakMap<object, RouteAuth>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    if (request.user !== undefined) return true;
    if (this.routeAuth(context).mode === 'public') return true;
    return (await super.canActivate(context)) as boolean;
  }

  override getAuthenticateOptions(
    context: ExecutionContext,
  ): JwtAuthenticateOptions {
    const route = this.routeAuth(context);
    return { requirements: route.mode === 'token' ? route : NO_REQUIREMENTS };
  }

  override handleRequest<TUser = Principal | null>(
    error: unknown,
    principal: TUser | false,
    /** The strategy's `BearerFailure`, or passport-jwt's jsonwebtoken error. */
    failure: BearerFailure | Error | undefined,
    context: ExecutionContext,
  ): TUser {
    // A failure inside the strategy (the database, say) is not the client's fault: rethrow it.
    if (error instanceof Error) throw error;
    if (error) throw new Error('JwtStrategy failed with a non-Error value');
    if (principal) return principal;
    const reason: BearerFailure =
      failure instanceof Error
        ? {
            kind: 'invalid_token',
            reason:
              failure instanceof TokenExpiredError ? 'expired' : 'invalid',
          }
        : (failure ?? { kind: 'missing' });
    if (
      reason.kind === 'missing' &&
      this.routeAuth(context).mode === 'optional'
    ) {
      return null as TUser;
    }
    if (reason.kind === 'insufficient_scope') {
      this.securityLog.warn(
        `authorization failed: ${reason.who} lacks scope ${reason.required.join(' ')} for ${context.getClass().name}.${context.getHandler().name}`,
      );
    }
    if (reason.kind === 'user_required') {
      this.securityLog.warn(
        `authorization failed: client ${reason.clientId} sent its own token to ${context.getClass().name}.${context.getHandler().name}, which serves users only`,
      );
    }
    if (reason.kind === 'insufficient_user_authentication') {
      this.securityLog.warn(
        `step-up needed: user ${reason.userId} (${'secondFactor' in reason.need ? 'second factor' : 'recent sign-in'}) for ${context.getClass().name}.${context.getHandler().name}`,
      );
    }
    throw challengeFor(reason);
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (!route) {
      route =
        this.reflector.getAllAndOverride<RouteAuth | undefined>(ROUTE_AUTH, [
          handler,
          context.getClass(),
        ]) ?? DEFAULT_ROUTE_AUTH;
      this.routes.set(handler, route);
    }
    return route;
  }
}

/**
 * A failed bearer authentication: the status RFC 6750 asks for, a `WWW-Authenticate: Bearer`
 * challenge with the error code (and the missing scope), and the same code as the problem
 * details' `error`, so a client can tell a step-up from a dead token without parsing the header.
 */
export class BearerChallengeException extends HttpExceptionWithHeaders {
  constructor(
    status: HttpStatus,
    message: string,
    code?: Extract<
      ProblemCode,
      | 'invalid_request'
      | 'invalid_token'
      | 'insufficient_scope'
      | 'insufficient_user_authentication'
      | 'user_token_required'
      | 'invalid_dpop_proof'
      | 'use_dpop_nonce'
    >,
    /** Further auth-params of the challenge (`scope`, `acr_values`, `max_age`, `algs`). */
    params: Record<string, string> = {},
    /** RFC 9449 §7.1: a DPoP failure is challenged with the DPoP scheme. */
    scheme: 'Bearer' | 'DPoP' = 'Bearer',
    headers: Record<string, string> = {},
  ) {
    let challenge = `${scheme} realm="${BEARER_REALM}"`;
    if (code) challenge += `, error="${code}"`;
    for (const [name, value] of Object.entries(params))
      challenge += `, ${name}="${value}"`;
    super(code ? { error: code, detail: message } : message, status, {
      'WWW-Authenticate': challenge,
      ...headers,
    });
  }
}

/** What a client is told about an invalid token, where it can do something about it. */
const INVALID_TOKEN_MESSAGES: Partial<
  Record<Extract<BearerFailure, { kind: 'invalid_token' }>['reason'], string>
> = {
  expired: 'The access token has expired',
  dpop_bound:
    'The access token is bound to a DPoP key: send it as "Authorization: DPoP <token>" with a DPoP proof',
  not_dpop_bound:
    'The access token is not DPoP-bound: send it as "Authorization: Bearer <token>"',
};

/** RFC 6750 §3 and §3.1: the answer to each way bearer authentication fails. */
export function challengeFor(failure: BearerFailure): BearerChallengeException {
  switch (failure.kind) {
    case 'missing':
      return new BearerChallengeException(
        HttpStatus.UNAUTHORIZED,
        'Authentication required',
      );
    case 'malformed':
      return new BearerChallengeException(
        HttpStatus.BAD_REQUEST,
        'The Authorization header must be "Bearer <token>"',
        'invalid_request',
      );
    case 'invalid_token':
      return new BearerChallengeException(
        HttpStatus.UNAUTHORIZED,
        INVALID_TOKEN_MESSAGES[failure.reason] ?? 'The access token is invalid',
        'invalid_token',
      );
    case 'invalid_dpop_proof':
      return new BearerChallengeException(
        HttpStatus.UNAUTHORIZED,
        `The DPoP proof is missing or invalid: ${failure.reason}`,
        'invalid_dpop_proof',
        { algs: DPOP_ALGORITHMS.join(' ') },
        'DPoP',
      );
    case 'use_dpop_nonce':
      return new BearerChallengeException(
        HttpStatus.UNAUTHORIZED,
        failure.reason,
        'use_dpop_nonce',
        { algs: DPOP_ALGORITHMS.join(' ') },
        'DPoP',
        { 'DPoP-Nonce': failure.nonce },
      );
    case 'insufficient_scope': {
      const scope = failure.required.join(' ');
      return new BearerChallengeException(
        HttpStatus.FORBIDDEN,
        `This request needs the scope: ${scope}`,
        'insufficient_scope',
        { scope },
      );
    }
    case 'user_required':
      return new BearerChallengeException(
        HttpStatus.FORBIDDEN,
        "This route acts for a signed-in user: a client's own token (client credentials) cannot use it",
        'user_token_required',
      );
    case 'insufficient_user_authentication':
      return 'secondFactor' in failure.need
        ? new BearerChallengeException(
            HttpStatus.UNAUTHORIZED,
            'This request needs a sign-in with a second factor: sign in again with your code',
            'insufficient_user_authentication',
            { acr_values: ACR_MULTI_FACTOR },
          )
        : new BearerChallengeException(
            HttpStatus.UNAUTHORIZED,
            `This request needs a sign-in less than ${failure.need.maxAgeSeconds} s old: sign in again`,
            'insufficient_user_authentication',
            { max_age: String(failure.need.maxAgeSeconds) },
          );
  }
}
