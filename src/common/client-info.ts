import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Where a request came from; recorded on sessions and in security logs. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

const MAX_USER_AGENT = 512;

/** The caller's address (proxy-aware per TRUST_PROXY) and user agent. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
  };
}

/** The `ClientInfo` of the current request. */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
