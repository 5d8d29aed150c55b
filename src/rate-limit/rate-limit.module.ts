import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { clientAddress } from './client-address';
import { ControllerRoutes } from './controller-routes';
import { LoginThrottleGuard } from './login-throttle.guard';
import { LOGIN_ADDRESS_THROTTLER, LOGIN_THROTTLER } from './login-throttlers';
import { RateLimitHook } from './rate-limit.hook';
import { rateLimitMetricsProviders } from './rate-limit.metrics';
import { RateLimiter } from './rate-limiter';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Rate limits on every request (`@SkipThrottle()` opts a controller or route out): the default
 * throttler, one budget per client address, counted for every request that reaches the service
 * ({@link RateLimitHook}, set up by `setUpRateLimits(app)`); and on routes marked `@LoginThrottle()`
 * the login throttlers, per address and email and per address. Counts live in Redis, so they are
 * exact across instances; in-process in the embedded mode.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: RedisClient | null) => ({
        throttlers: [
          { name: 'default', limit: config.throttle.limit, ttl: config.throttle.ttlMs },
          {
            name: LOGIN_THROTTLER,
            limit: config.throttle.loginLimit,
            ttl: config.throttle.loginTtlMs,
            getTracker: (request) =>
              `${clientAddress(request as FastifyRequest)}|${emailOf(request.body)}`,
          },
          {
            name: LOGIN_ADDRESS_THROTTLER,
            limit: config.throttle.loginAddressLimit,
            ttl: config.throttle.loginTtlMs,
          },
        ],
        storage: redis
          ? new RedisThrottlerStorage(redis, `${config.redis.keyPrefix}:rate-limit:`)
          : undefined,
      }),
    }),
  ],
  providers: [
    ...rateLimitMetricsProviders,
    RateLimiter,
    ControllerRoutes,
    RateLimitHook,
    LoginThrottleGuard,
  ],
  exports: [RateLimiter, LoginThrottleGuard],
})
export class RateLimitModule {}

function emailOf(body: unknown): string {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}
