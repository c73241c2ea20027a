import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
// The package's metadata keys, which it does not re-export from its index.
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants.js';
import { RateLimitedException } from '../common/rate-limited.exception.js';

/** What one throttler asks of one route, worked out once. */
type RouteLimit = Omit<ThrottlerRequest, 'context'>;

/**
 * `ThrottlerGuard` with three changes: counts are per client IP across routes (`default:<ip>`,
 * `auth:<ip>`), not per route; a refusal carries a plain `Retry-After` header (the library names
 * it `Retry-After-<throttler>` for named throttlers, which clients do not read); and each route's
 * limits are worked out once, not per request (the library reads six pieces of metadata per
 * throttler per request). That is right because Warden's limits and `skipIf` rules depend only
 * on the route and the configuration (`RateLimitModule`), never on the request.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly securityLog = new Logger('Security');
  private readonly routes = new WeakMap<object, RouteLimit[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    let limits = this.routes.get(handler);
    if (!limits) {
      limits = this.limitsOf(context);
      this.routes.set(handler, limits);
    }
    for (const limit of limits) {
      // Answers true, or throws the 429.
      await this.handleRequest({ context, ...limit });
    }
    return true;
  }

  /** The library's own rules (`ThrottlerGuard.canActivate`), for the route of `context`. */
  private limitsOf(context: ExecutionContext): RouteLimit[] {
    const targets = [context.getHandler(), context.getClass()];
    const routeValue = <T>(key: string, name: string): T | undefined =>
      this.reflector.getAllAndOverride<T | undefined>(`${key}${name}`, targets);
    const limits: RouteLimit[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      const skipIf = throttler.skipIf ?? this.commonOptions.skipIf;
      if (routeValue<boolean>(THROTTLER_SKIP, name) || skipIf?.(context))
        continue;
      const ttl = Number(routeValue(THROTTLER_TTL, name) ?? throttler.ttl);
      limits.push({
        throttler,
        limit: Number(routeValue(THROTTLER_LIMIT, name) ?? throttler.limit),
        ttl,
        blockDuration: Number(
          routeValue(THROTTLER_BLOCK_DURATION, name) ??
            throttler.blockDuration ??
            ttl,
        ),
        getTracker:
          routeValue(THROTTLER_TRACKER, name) ??
          throttler.getTracker ??
          this.commonOptions.getTracker!,
        generateKey:
          routeValue(THROTTLER_KEY_GENERATOR, name) ??
          throttler.generateKey ??
          this.commonOptions.generateKey!,
      });
    }
    return limits;
  }

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
