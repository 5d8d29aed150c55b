import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module';
import { UsersSessionResolver } from './auth/users-session.resolver';
import { CacheModule } from './cache';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { requestContext } from './logging';
import { MetricsModule } from './metrics/metrics.module';
import { ProductsModule } from './products/products.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisClientFactory } from './redis/redis-client.factory';
import { CACHE_REDIS_CLIENT, RedisClient } from './redis/redis.constants';
import { RedisModule } from './redis/redis.module';
import { ReportsModule } from './reports/reports.module';
import { SessionModule } from './session/session.module';
import { tracerOf } from './tracing/tracer';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** `env` overrides the process environment; tests use it to run instances side by side. */
  static forRoot(env: Record<string, string> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule,
        RedisModule,
        MetricsModule,
        CacheModule.forRootAsync({
          inject: [AppConfig, CACHE_REDIS_CLIENT, RedisClientFactory],
          useFactory: (
            config: AppConfig,
            redis: RedisClient | null,
            clients: RedisClientFactory,
          ) => ({
            redis,
            subscriberConnection: (node) => clients.subscriber(node),
            keyPrefix: config.redis.keyPrefix,
            ttlOverrides: config.cache.ttlOverrides,
            l1MaxEntries: config.cache.l1MaxEntries,
            maxEntryBytes: config.cache.maxEntryBytes,
            requestScope: requestContext.storage,
            tracer: tracerOf(config, 'cache'),
          }),
        }),
        RateLimitModule,
        SessionModule.forRoot({ imports: [UsersModule], resolver: UsersSessionResolver }),
        HealthModule,
        UsersModule,
        ProductsModule,
        AuthModule,
        ScheduleModule.forRoot(),
        ReportsModule,
      ],
    };
  }
}
