import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Cluster } from 'ioredis';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisClient } from '../redis/redis.constants';

export class RateLimitStoreUnavailableError extends Error {
  constructor() {
    super('The rate limit store (Redis) is unreachable');
  }
}

/**
 * The @nest-lab Redis storage (one Lua script per hit, its keys in one hash slot, so counts are exact
 * across instances and work on a cluster), failing at once while the client is disconnected instead
 * of making every request wait for a command timeout.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly storage: ThrottlerStorageRedisService;

  constructor(private readonly redis: RedisClient) {
    this.storage =
      redis instanceof Cluster
        ? new ThrottlerStorageRedisService(redis)
        : new ThrottlerStorageRedisService(redis);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.status !== 'ready') return Promise.reject(new RateLimitStoreUnavailableError());
    return this.storage.increment(key, ttl, limit, blockDuration, throttlerName);
  }
}
