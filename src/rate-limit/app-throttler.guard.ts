import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedException } from '../common/rate-limited.exception.js';

/**
 * `ThrottlerGuard` with two changes: counts are per client IP across routes (`default:<ip>`,
 * `auth:<ip>`), not per route; and a refusal carries a plain `Retry-After` header (the library
 * names it `Retry-After-<throttler>` for named throttlers, which clients do not read).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly securityLog = new Logger('Security');

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.securityLog.warn(
      `rate limited: ip ${detail.tracker} on ${context.getClass().name}.${context.getHandler().name} (${detail.totalHits} requests)`,
    );
    throw new RateLimitedException(
      'Too many requests',
      detail.timeToBlockExpire,
    );
  }
}
