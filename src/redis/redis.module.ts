import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisClientFactory } from './redis-client.factory';
import { CACHE_REDIS_CLIENT, REDIS_CLIENT, RedisClient } from './redis.constants';

@Global()
@Module({
  providers: [
    {
      provide: RedisClientFactory,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new RedisClientFactory(config.redis),
    },
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig, RedisClientFactory],
      useFactory: (config: AppConfig, factory: RedisClientFactory) => {
        const logger = new Logger('Redis');
        const client = factory.create(config.redis, logger);
        if (!client) {
          logger.warn(
            'REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS are unset: caches, sessions, rate ' +
              'limits and locks use in-process stores. This mode serves ONE instance only.',
          );
        }
        return client;
      },
    },
    {
      provide: CACHE_REDIS_CLIENT,
      inject: [AppConfig, RedisClientFactory, REDIS_CLIENT],
      useFactory: (config: AppConfig, factory: RedisClientFactory, main: RedisClient | null) =>
        config.cache.redis ? factory.create(config.cache.redis, new Logger('CacheRedis')) : main,
    },
  ],
  exports: [RedisClientFactory, REDIS_CLIENT, CACHE_REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly client: RedisClient | null,
    @Inject(CACHE_REDIS_CLIENT) private readonly cacheClient: RedisClient | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const clients = new Set([this.client, this.cacheClient].filter((client) => client !== null));
    await Promise.all([...clients].map((client) => client.quit().catch(() => client.disconnect())));
  }
}
