import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';

export const AUTH_RATE_LIMITED = 'warden:auth-rate-limited';

/**
 * Puts a route under the per-IP `AUTH_RATE_LIMIT` (10 a minute by default, one budget shared by
 * every such route): the routes that check a password or a token an attacker would guess.
 */
export const AuthRateLimited = () =>
  applyDecorators(SetMetadata(AUTH_RATE_LIMITED, true), RateLimitedResponse());

/** Documents the 429 (with `Retry-After`) of a per-IP or per-account limit. */
export const RateLimitedResponse = () =>
  ApiTooManyRequestsResponse({
    description:
      'Too many requests from this address, or too many failed password checks for this account; retry after `Retry-After` seconds',
    headers: {
      'Retry-After': {
        description: 'Seconds until a retry may succeed',
        schema: { type: 'integer' },
      },
    },
    type: ProblemDetailsDto,
  });
