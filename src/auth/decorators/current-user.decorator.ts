import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../principal.js';

/**
 * The `Principal` that `JwtAuthGuard` authenticated (null on an `@OptionalAuth()` route called
 * without a token).
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | null =>
    context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: Principal | null }>().user ?? null,
);
