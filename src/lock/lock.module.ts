import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Tracer } from '@opentelemetry/api';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { tracerOf } from '../tracing/tracer';
import { LOCK_BACKEND, LockBackend } from './lock-backend';
import { LOCK_TRACER, LockSpans } from './lock-spans';
import { LockMasters } from './lock-masters';
import { LockService } from './lock.service';
import { MemoryLockBackend } from './memory-lock.backend';
import { RedisLockBackend } from './redis-lock.backend';
import { WithLockExplorer } from './with-lock.explorer';

/**
 * Distributed locks with fencing tokens: `LockService.using()` and `@WithLock()`. They take a
 * quorum on the masters of LOCK_REDIS_NODES when set, else use the project's Redis, else (embedded
 * mode) an in-process store.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    LockMasters,
    {
      provide: LOCK_TRACER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => tracerOf(config, 'lock') ?? null,
    },
    {
      provide: LOCK_BACKEND,
      inject: [REDIS_CLIENT, LockMasters, AppConfig, LOCK_TRACER],
      useFactory: (
        redis: RedisClient | null,
        masters: LockMasters,
        config: AppConfig,
        tracer: Tracer | null,
      ) => {
        const { keyPrefix } = config.redis;
        const spans = tracer ? new LockSpans(tracer) : undefined;
        const backend: LockBackend =
          masters.clients.length > 0
            ? new RedisLockBackend(masters.clients, keyPrefix, spans)
            : redis
              ? new RedisLockBackend([redis], keyPrefix, spans)
              : new MemoryLockBackend(spans);
        return backend;
      },
    },
    LockService,
    WithLockExplorer,
  ],
  exports: [LockService],
})
export class LockModule {}
