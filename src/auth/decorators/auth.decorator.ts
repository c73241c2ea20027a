import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOAuth2,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../../common/error.dto.js';
import { JwtAuthGuard } from '../guards/jwt-auth.guard.js';
import { ScopesGuard } from '../guards/scopes.guard.js';
import type { Scope } from '../scopes.js';

export const REQUIRED_SCOPES = 'warden:required-scopes';

/**
 * Puts a route behind a bearer access token with the given scopes, and documents exactly that
 * in OpenAPI (padlock for both the `bearer` and the `oauth2` scheme): one decorator, so the
 * guard and the documentation cannot drift apart.
 */
export function Auth(...scopes: Scope[]) {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    UseGuards(JwtAuthGuard, ScopesGuard),
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
