import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createRedisClient } from './redis-client.factory';
import { REDIS_CLIENT, RedisClient } from './redis.constants';

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Redis');
        const client = createRedisClient(config, logger);
        if (!client) {
          logger.warn(
            'REDIS_URL and REDIS_CLUSTER_NODES are unset: caches, sessions, rate limits and locks use ' +
              'in-process stores. This mode serves ONE instance only.',
          );
        }
        return client;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }
}
