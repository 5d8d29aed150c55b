import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { RedisClientFactory } from '../redis/redis-client.factory';

/**
 * The independent Redis masters of LOCK_REDIS_NODES that locks take a quorum on (none when unset).
 * Their connections close at application shutdown, after LockService has released its locks.
 */
@Injectable()
export class LockMasters implements OnApplicationShutdown {
  readonly clients: Redis[];

  constructor(config: AppConfig, factory: RedisClientFactory) {
    this.clients = (config.lock.redisNodes ?? []).map((url, i) =>
      factory.standalone(url, new Logger(`LockRedis#${i + 1}`)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}
