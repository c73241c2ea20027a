import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOAuth2,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../../common/error.dto.js';
import type { Scope } from '../../roles/scopes.js';

/** What `JwtAuthGuard` asks of a route's caller. */
export type RouteAuth =
  | { mode: 'token'; scopes: readonly Scope[] }
  | { mode: 'optional' }
  | { mode: 'public' };

export const ROUTE_AUTH = 'warden:route-auth';

/**
 * A bearer access token with the given scopes, and exactly that documented in OpenAPI (padlock
 * for both the `bearer` and the `oauth2` scheme): one decorator, so the guard and the
 * documentation cannot drift apart. Routes without any of these decorators need a token too (the
 * guard is global); `@Auth()` says so and documents it.
 */
export function Auth(...scopes: Scope[]) {
  return applyDecorators(
    SetMetadata(ROUTE_AUTH, { mode: 'token', scopes } satisfies RouteAuth),
    ApiBearerAuth('bearer'),
    ApiOAuth2(scopes, 'oauth2'),
    ApiUnauthorizedResponse({
      description:
        'No access token, or one that is invalid, expired or revoked',
      type: ErrorDto,
    }),
    ...(scopes.length > 0
      ? [
          ApiForbiddenResponse({
            description: `The token lacks the scope ${scopes.join(' ')}`,
            type: ErrorDto,
          }),
        ]
      : []),
  );
}

/** No token needed: the route is on API.md's public allowlist. */
export const Public = () =>
  SetMetadata(ROUTE_AUTH, { mode: 'public' } satisfies RouteAuth);

/**
 * A bearer token is welcome but not required (logout, revocation): without an Authorization
 * header `@CurrentUser()` is null; a token that is presented must be valid, with the same
 * RFC 6750 answers as anywhere else, so a stale or forged token is never taken for "anonymous".
 */
export const OptionalAuth = () =>
  SetMetadata(ROUTE_AUTH, { mode: 'optional' } satisfies RouteAuth);
