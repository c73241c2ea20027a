import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { User } from './user.entity.js';

const ACCOUNT = Symbol('warden:authenticated-account');

interface RequestWithAccount {
  [ACCOUNT]?: User;
}

/**
 * Keeps the account that bearer authentication loaded (and checked) on the request, so a route
 * that needs the whole account (`@CurrentAccount()`) does not load it a second time.
 */
export function attachAccount(request: object, account: User): void {
  (request as RequestWithAccount)[ACCOUNT] = account;
}

/**
 * The account of the signed-in user, as bearer authentication loaded it for this request (null
 * on an `@OptionalAuth()` route called without a token).
 */
export const CurrentAccount = createParamDecorator(
  (_data: unknown, context: ExecutionContext): User | null =>
    context.switchToHttp().getRequest<RequestWithAccount>()[ACCOUNT] ?? null,
);
