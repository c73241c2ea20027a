import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../principal.js';

/**
 * What the route's guard authenticated: the `Principal` behind `@Auth()` routes, the `User`
 * behind `LocalAuthGuard`.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>()
      .user,
);

const MAX_USER_AGENT = 512;

/** The caller's address (proxy-aware per TRUST_PROXY) and user agent. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
  };
}

export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
