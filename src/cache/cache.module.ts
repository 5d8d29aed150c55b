import { randomBytes } from 'node:crypto';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Cache, createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CACHE_BACKEND, CACHE_ORIGIN } from './cache-backend';
import { CacheDecoratorExplorer } from './cache-decorator.explorer';
import { CacheHeaderHooks } from './cache-header.hooks';
import {
  CACHE_MODULE_OPTIONS,
  CacheModuleOptions,
  ConfigurableCacheModule,
  RESOLVED_CACHE_OPTIONS,
  ResolvedCacheOptions,
  resolveCacheOptions,
} from './cache-module.options';
import { CacheOutcomeContext } from './cache-outcome.context';
import { CacheService } from './cache.service';
import { CacheMetrics } from './cache.metrics';
import { IoRedisKeyvStore } from './ioredis-keyv.store';
import { localTierProvider, LocalTierShutdown } from './local/local-tier.provider';
import { MemoryCacheBackend } from './memory-cache.backend';
import { RedisCacheBackend } from './redis-cache.backend';

/**
 * The caching toolkit: `@Cacheable` / `@CacheEvict` / `@CachePut` on any provider, `CacheService`,
 * the `X-Cache` header, cache metrics and the optional L1 tier. Also provides Nest's `CACHE_MANAGER`
 * (cache-manager 7 over Keyv) on the same Redis client, or in process without one.
 *
 * Self-contained: everything it needs comes through `CacheModule.forRoot(options)` or
 * `CacheModule.forRootAsync({ inject, useFactory })`, like `@nestjs/throttler`. Global unless
 * `isGlobal: false`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_CACHE_OPTIONS,
      inject: [CACHE_MODULE_OPTIONS],
      useFactory: resolveCacheOptions,
    },
    { provide: CACHE_ORIGIN, useFactory: () => randomBytes(6).toString('hex') },
    {
      provide: CACHE_MANAGER,
      inject: [RESOLVED_CACHE_OPTIONS],
      useFactory: ({ redis, keyPrefix }: ResolvedCacheOptions): Cache =>
        createCache({
          stores: [
            new Keyv({
              store: redis ? new IoRedisKeyvStore(redis) : new Map(),
              namespace: `${keyPrefix}:kv`,
            }),
          ],
        }),
    },
    {
      provide: CACHE_BACKEND,
      inject: [RESOLVED_CACHE_OPTIONS, CACHE_MANAGER, CACHE_ORIGIN],
      useFactory: ({ redis }: ResolvedCacheOptions, store: Cache, origin: string) =>
        redis ? new RedisCacheBackend(redis, origin) : new MemoryCacheBackend(store),
    },
    localTierProvider,
    LocalTierShutdown,
    CacheMetrics,
    {
      provide: CacheOutcomeContext,
      inject: [RESOLVED_CACHE_OPTIONS],
      useFactory: ({ requestScope }: ResolvedCacheOptions) => new CacheOutcomeContext(requestScope),
    },
    CacheService,
    CacheDecoratorExplorer,
    CacheHeaderHooks,
  ],
  exports: [CacheService, CACHE_MANAGER],
})
export class CacheModule extends ConfigurableCacheModule {}

export type { CacheModuleOptions };
