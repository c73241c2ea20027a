import {
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal, UserPrincipal } from './principal.js';

/**
 * The signed-in user that `JwtAuthGuard` authenticated (null on an `@OptionalAuth()` route
 * called without a token). A route that takes this serves people: a machine client's token is
 * refused with a 403 rather than mistaken for a user.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserPrincipal | null => {
    const principal =
      context
        .switchToHttp()
        .getRequest<FastifyRequest & { user?: Principal | null }>().user ??
      null;
    if (principal && principal.kind !== 'user')
      throw new ForbiddenException('This route serves signed-in users only');
    return principal;
  },
);
