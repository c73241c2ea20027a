import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOAuth2,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import type { Scope } from '../roles/scopes.js';
import {
  describeAssurance,
  type SensitiveAction,
} from './sensitive-actions.js';

/**
 * A sensitive action, by its name in `SENSITIVE_ACTIONS`: how recently and how strongly the
 * caller must have signed in (step-up, RFC 9470), beyond holding a valid token. Routes name
 * one; none states a step-up of its own.
 */
export interface Sensitive {
  sensitive: SensitiveAction;
}

/**
 * A route that also serves machine clients' own tokens (the client credentials grant), with the
 * scopes a client's token must carry. Without it, every route refuses them: a route acts for a
 * signed-in user unless it says otherwise.
 */
export interface ForClients {
  clients: readonly Scope[];
}

/** What a bearer token must carry for a route. */
export interface TokenRequirements {
  scopes: readonly Scope[];
  sensitive: SensitiveAction | null;
  /** The scopes a client's own token needs here; null where client tokens are refused. */
  clientScopes: readonly Scope[] | null;
}

/** What `JwtAuthGuard` asks of a route's caller. */
export type RouteAuth =
  | ({ mode: 'token' } & TokenRequirements)
  | { mode: 'optional' }
  | { mode: 'public' };

export const ROUTE_AUTH = 'warden:route-auth';

/**
 * A bearer access token with the given scopes (and, for a `Sensitive` action, a sign-in as
 * strong and recent as `SENSITIVE_ACTIONS` says; for `ForClients`, a machine client's own token
 * with its scopes instead), and exactly that documented in OpenAPI (padlock for both the `bearer`
 * and the `oauth2` scheme): one decorator, so the guard and the documentation cannot drift apart.
 * Routes without any of these decorators need a user's token too (the guard is global); `@Auth()`
 * says so and documents it.
 */
export function Auth(...requirements: Array<Scope | Sensitive | ForClients>) {
  const scopes = requirements.filter(
    (requirement): requirement is Scope => typeof requirement === 'string',
  );
  const sensitive =
    requirements.find(
      (requirement): requirement is Sensitive =>
        typeof requirement === 'object' && 'sensitive' in requirement,
    )?.sensitive ?? null;
  const clientScopes =
    requirements.find(
      (requirement): requirement is ForClients =>
        typeof requirement === 'object' && 'clients' in requirement,
    )?.clients ?? null;
  const forbidden = [
    ...(scopes.length > 0
      ? [`The token lacks the scope ${scopes.join(' ')}`]
      : []),
    clientScopes === null
      ? "A machine client's own token (`user_token_required`): this route acts for a signed-in user"
      : `A machine client's own token without the scope ${clientScopes.join(' ')}`,
  ];
  return applyDecorators(
    SetMetadata(ROUTE_AUTH, {
      mode: 'token',
      scopes,
      sensitive,
      clientScopes,
    } satisfies RouteAuth),
    ApiBearerAuth('bearer'),
    ApiOAuth2(scopes, 'oauth2'),
    ...(clientScopes === null ? [] : [ApiOAuth2([...clientScopes], 'oauth2')]),
    ApiUnauthorizedResponse({
      description: sensitive
        ? `No access token, or one that is invalid, expired or revoked; or \`insufficient_user_authentication\` (RFC 9470): ${describeAssurance(sensitive)}`
        : 'No access token, or one that is invalid, expired or revoked',
      type: ProblemDetailsDto,
    }),
    ApiForbiddenResponse({
      description: forbidden.join('; or '),
      type: ProblemDetailsDto,
    }),
  );
}

/** No token needed: the route is on the public routes of docs/api.md. */
export const Public = () =>
  SetMetadata(ROUTE_AUTH, { mode: 'public' } satisfies RouteAuth);

/**
 * A bearer token is welcome but not required (logout, revocation): without an Authorization
 * header `@CurrentUser()` is null; a token that is presented must be valid, with the same
 * RFC 6750 answers as anywhere else, so a stale or forged token is never taken for "anonymous".
 * A token presented must be a user's: a machine client's own token is refused (403).
 */
export const OptionalAuth = () =>
  applyDecorators(
    SetMetadata(ROUTE_AUTH, { mode: 'optional' } satisfies RouteAuth),
    ApiForbiddenResponse({
      description:
        "A machine client's own token (`user_token_required`): this route acts for a signed-in user",
      type: ProblemDetailsDto,
    }),
  );
