import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { LOCK_BACKEND, LockBackend } from './lock-backend';
import { LockService } from './lock.service';
import { MemoryLockBackend } from './memory-lock.backend';
import { RedisLockBackend } from './redis-lock.backend';
import { WithLockExplorer } from './with-lock.explorer';

/** Distributed locks with fencing tokens: `LockService.using()` and `@WithLock()`. */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: LOCK_BACKEND,
      inject: [REDIS_CLIENT, AppConfig],
      useFactory: (redis: RedisClient | null, config: AppConfig): LockBackend =>
        redis ? new RedisLockBackend(redis, config.redis.keyPrefix) : new MemoryLockBackend(),
    },
    LockService,
    WithLockExplorer,
  ],
  exports: [LockService],
})
export class LockModule {}
