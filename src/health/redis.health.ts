import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';

const PING_TIMEOUT_MS = 1000;

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: 'redis'): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.health.check(key);
    if (!this.redis) return indicator.up({ mode: 'in-process' });
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS).unref(),
        ),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
