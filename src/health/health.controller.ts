import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RedisConnections } from '../redis/redis.module.js';
import { RedisHealthIndicator } from './redis.health.js';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';

@ApiTags('meta')
// Probes from load balancers and orchestrators must never be rate-limited into failing.
@SkipThrottle()
@Controller('health')
export class HealthController {
  private readonly redisConfigured: boolean;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    connections: RedisConnections,
  ) {
    this.redisConfigured = connections.commands !== null;
  }

  /** Touches nothing: answers while the process serves requests. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: 200 when the database (and Redis, when configured) answer, 503 otherwise',
  })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1000 }),
      ...(this.redisConfigured ? [() => this.redis.isHealthy('redis')] : []),
    ]);
  }
}
