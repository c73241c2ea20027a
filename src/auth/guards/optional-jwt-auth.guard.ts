import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Principal } from '../principal.js';

/**
 * For routes where a bearer token is welcome but not required (logout, revocation): a valid
 * token sets `request.user`; a missing or invalid one leaves it null and the request goes on.
 */
@Injectable()
export class OptionalJwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false,
  ): TUser {
    if (error instanceof Error) throw error;
    return (principal || null) as TUser;
  }
}
