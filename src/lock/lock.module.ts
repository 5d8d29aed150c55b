import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { LOCK_BACKEND, LockBackend } from './lock-backend';
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
      provide: LOCK_BACKEND,
      inject: [REDIS_CLIENT, LockMasters, AppConfig],
      useFactory: (redis: RedisClient | null, masters: LockMasters, config: AppConfig) => {
        const { keyPrefix } = config.redis;
        const backend: LockBackend =
          masters.clients.length > 0
            ? new RedisLockBackend(masters.clients, keyPrefix)
            : redis
              ? new RedisLockBackend([redis], keyPrefix)
              : new MemoryLockBackend();
        return backend;
      },
    },
    LockService,
    WithLockExplorer,
  ],
  exports: [LockService],
})
export class LockModule {}
