import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { BearerChallengeException } from '../bearer-challenge.exception.js';
import { REQUIRED_SCOPES } from '../decorators/auth.decorator.js';
import type { Principal } from '../principal.js';
import type { Scope } from '../scopes.js';

/** Runs after `JwtAuthGuard`: a token without every scope the route declares is a 403. */
@Injectable()
export class ScopesGuard implements CanActivate {
  private readonly securityLog = new Logger('Security');

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required =
      this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    if (required.length === 0) return true;
    const { user: principal } = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user: Principal }>();
    if (required.every((scope) => principal.scopes.has(scope))) return true;
    this.securityLog.warn(
      `authorization failed: user ${principal.user.id} lacks scope ${required.join(' ')} for ${context.getClass().name}.${context.getHandler().name}`,
    );
    throw new BearerChallengeException(
      'insufficient_scope',
      `This request needs the scope: ${required.join(' ')}`,
      required.join(' '),
    );
  }
}
