import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { WARDEN, type Warden } from '../warden.js';
import type { Caller } from './caller.js';

/** A valid access token from Warden (`WardenJwtStrategy`). */
@Injectable()
export class WardenJwtGuard extends AuthGuard('warden-jwt') {}

const SCOPES = 'resource-server:scopes';
/** The scopes a route's token must carry. */
export const Scopes = (...scopes: string[]) => SetMetadata(SCOPES, scopes);

/** Runs after `WardenJwtGuard`: the token must carry the route's `@Scopes()`. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed =
      this.reflector.get<string[] | undefined>(SCOPES, context.getHandler()) ??
      [];
    const caller = context.switchToHttp().getRequest<{ user: Caller }>().user;
    if (needed.every((scope) => caller.scopes.has(scope))) return true;
    throw new ForbiddenException(
      `This route needs the scope: ${needed.join(' ')}`,
    );
  }
}

/**
 * Runs after `WardenJwtGuard`, on routes where a logout or a revocation at Warden must stop the
 * token at once, not when it expires: asks Warden's introspection endpoint (RFC 7662).
 */
@Injectable()
export class IntrospectionGuard implements CanActivate {
  constructor(@Inject(WARDEN) private readonly warden: Warden) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const caller = context.switchToHttp().getRequest<{ user: Caller }>().user;
    if (await this.warden.isActive(caller.token)) return true;
    throw new UnauthorizedException(
      'Warden says this token is no longer active',
    );
  }
}
