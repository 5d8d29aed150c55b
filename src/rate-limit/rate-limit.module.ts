import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { LOGIN_THROTTLER } from './login-throttle.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { rateLimitRejectionsProvider } from './rate-limit.metrics';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Rate limits on every route (`@SkipThrottle()` opts a controller out): the default throttler, one
 * budget per client address, and the login throttler for routes marked `@LoginThrottle()`. Counts
 * live in Redis, so they are exact across instances; in-process in the embedded mode.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: RedisClient | null) => ({
        throttlers: [
          { name: 'default', limit: config.throttle.limit, ttl: config.throttle.ttlMs },
          {
            name: LOGIN_THROTTLER,
            limit: config.throttle.loginLimit,
            ttl: config.throttle.loginTtlMs,
          },
        ],
        storage: redis
          ? new RedisThrottlerStorage(redis, `${config.redis.keyPrefix}:rate-limit:`)
          : undefined,
      }),
    }),
  ],
  providers: [rateLimitRejectionsProvider, { provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
