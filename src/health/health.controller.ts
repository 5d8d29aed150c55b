import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Readiness } from './readiness';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('operations')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  /** Readiness: 503 while PostgreSQL or Redis is down, and from a shutdown signal on. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: 1000 }),
      () => this.redis.isHealthy('redis'),
    ];
    if (this.readiness.draining) {
      checks.push(() =>
        this.indicators.check('shutdown').down({ message: 'draining before shutdown' }),
      );
    }
    return this.health.check(checks);
  }

  /**
   * Liveness: 200 while the process serves HTTP at all. It checks no backing service, so that an
   * orchestrator does not restart healthy instances while PostgreSQL or Redis is down.
   */
  @Get('live')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
