import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOAuth2,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../../common/error.dto.js';
import type { Scope } from '../../roles/scopes.js';

/**
 * How recently and how strongly the caller must have signed in (step-up, RFC 9470), beyond
 * holding a valid token.
 */
export interface StepUp {
  /**
   * `always`: the sign-in used two factors (`amr` has `mfa`, or a passkey's `hwk`/`swk`);
   * `if-enrolled`: only when the user has a second factor on (and MFA_TOTP is on).
   */
  secondFactor?: 'always' | 'if-enrolled';
  /** The sign-in (`auth_time`) is at most this many seconds old. */
  maxAgeSeconds?: number;
}

/** What a bearer token must carry for a route. */
export interface TokenRequirements {
  scopes: readonly Scope[];
  stepUp: StepUp | null;
}

/** What `JwtAuthGuard` asks of a route's caller. */
export type RouteAuth =
  | ({ mode: 'token' } & TokenRequirements)
  | { mode: 'optional' }
  | { mode: 'public' };

export const ROUTE_AUTH = 'warden:route-auth';

/**
 * A bearer access token with the given scopes (and, when a `StepUp` is given, a sign-in strong or
 * recent enough), and exactly that documented in OpenAPI (padlock
 * for both the `bearer` and the `oauth2` scheme): one decorator, so the guard and the
 * documentation cannot drift apart. Routes without any of these decorators need a token too (the
 * guard is global); `@Auth()` says so and documents it.
 */
export function Auth(...requirements: Array<Scope | StepUp>) {
  const scopes = requirements.filter(
    (requirement): requirement is Scope => typeof requirement === 'string',
  );
  const stepUp =
    requirements.find(
      (requirement): requirement is StepUp => typeof requirement === 'object',
    ) ?? null;
  return applyDecorators(
    SetMetadata(ROUTE_AUTH, {
      mode: 'token',
      scopes,
      stepUp,
    } satisfies RouteAuth),
    ApiBearerAuth('bearer'),
    ApiOAuth2(scopes, 'oauth2'),
    ApiUnauthorizedResponse({
      description: stepUp
        ? `No access token, or one that is invalid, expired or revoked; or \`insufficient_user_authentication\` (RFC 9470): ${describeStepUp(stepUp)}`
        : 'No access token, or one that is invalid, expired or revoked',
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

function describeStepUp(stepUp: StepUp): string {
  const needs = [
    ...(stepUp.secondFactor === 'always'
      ? ['a sign-in with a second factor']
      : stepUp.secondFactor === 'if-enrolled'
        ? ['a sign-in with a second factor when the user has one on']
        : []),
    ...(stepUp.maxAgeSeconds !== undefined
      ? [`a sign-in at most ${stepUp.maxAgeSeconds} s ago`]
      : []),
  ];
  return `this route needs ${needs.join(' and ')}`;
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
