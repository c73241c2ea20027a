import {
  Controller,
  Get,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../access/auth.decorator.js';
import { RedisConnections } from '../redis/redis.module.js';
import { RedisHealthIndicator } from './redis.health.js';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';

/** Each dependency's status, by name (`database`, `redis`). */
const CHECKS = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
  },
  example: { database: { status: 'up' } },
};

/** terminus's report when every check passes. */
const HEALTHY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok'] },
    info: CHECKS,
    error: CHECKS,
    details: CHECKS,
  },
};

@ApiTags('meta')
// Probes from load balancers and orchestrators must never be rate-limited into failing.
@SkipThrottle()
@Controller('health')
@Public()
export class HealthController {
  private readonly logger = new Logger('Health');
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
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ schema: HEALTHY })
  @ApiOperation({ summary: 'Liveness: 200 while the process serves' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ schema: HEALTHY })
  @ApiServiceUnavailableResponse({
    description:
      'Not ready: `detail` names what is down, `checks` holds each dependency’s status',
    type: ProblemDetailsDto,
  })
  @ApiOperation({
    summary:
      'Readiness: 200 when the database (and Redis, when configured) answer, 503 otherwise',
  })
  async ready() {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 1000 }),
        ...(this.redisConfigured ? [() => this.redis.isHealthy('redis')] : []),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Driver messages name hosts, ports and users: they go to the log, not to whoever asks.
      const report = error.getResponse() as Record<string, unknown>;
      this.logger.warn(
        `not ready: ${JSON.stringify(report.details ?? report)}`,
      );
      const checks = statusesOnly(report.details);
      const down = Object.keys(checks).filter(
        (name) => checks[name].status !== 'up',
      );
      throw new ServiceUnavailableException({
        message: `Not ready: ${down.join(' and ')} down`,
        checks,
      });
    }
  }
}

/** A terminus result with each indicator's `status` only. */
function statusesOnly(results: unknown): Record<string, { status: unknown }> {
  if (typeof results !== 'object' || results === null) return {};
  return Object.fromEntries(
    Object.entries(results as Record<string, { status?: unknown }>).map(
      ([name, result]) => [name, { status: result?.status }],
    ),
  );
}
