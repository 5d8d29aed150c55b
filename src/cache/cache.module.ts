import { CACHE_MANAGER, CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { CACHE_BACKEND } from './cache-backend';
import { CacheDecoratorExplorer } from './cache-decorator.explorer';
import { CacheHeaderHooks } from './cache-header.hooks';
import { CacheOutcomeContext } from './cache-outcome.context';
import { CacheService } from './cache.service';
import { CacheMetrics } from './cache.metrics';
import { IoRedisKeyvStore } from './ioredis-keyv.store';
import { MemoryCacheBackend } from './memory-cache.backend';
import { RedisCacheBackend } from './redis-cache.backend';

/**
 * The caching toolkit: `@Cacheable` / `@CacheEvict` / `@CachePut` on any provider, `CacheService`,
 * the `X-Cache` header and cache metrics. Also provides Nest's `CACHE_MANAGER` (cache-manager 7 over
 * Keyv) on the same Redis connection, or in process in the embedded mode.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    NestCacheModule.registerAsync({
      inject: [REDIS_CLIENT, AppConfig],
      useFactory: (redis: RedisClient | null, config: AppConfig) => ({
        stores: [
          new Keyv({
            store: redis ? new IoRedisKeyvStore(redis) : new Map(),
            namespace: `${config.redis.keyPrefix}:kv`,
          }),
        ],
      }),
    }),
  ],
  providers: [
    {
      provide: CACHE_BACKEND,
      inject: [REDIS_CLIENT, CACHE_MANAGER],
      useFactory: (redis: RedisClient | null, store: Cache) =>
        redis ? new RedisCacheBackend(redis) : new MemoryCacheBackend(store),
    },
    CacheMetrics,
    CacheOutcomeContext,
    CacheService,
    CacheDecoratorExplorer,
    CacheHeaderHooks,
  ],
  exports: [CacheService, NestCacheModule],
})
export class CacheModule {}
