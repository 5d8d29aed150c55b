import { DynamicModule, Global, Module, ModuleMetadata, Type } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { MemorySessionBackend } from './memory-session-backend';
import { RedisSessionBackend } from './redis-session-backend';
import { SessionBackend } from './session-backend';
import { SessionUserResolver } from './session-user.resolver';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

export interface SessionModuleOptions {
  /** Modules the resolver depends on. */
  imports?: ModuleMetadata['imports'];
  /** Turns a session's user id into the signed-in user (see {@link SessionUserResolver}). */
  resolver: Type<SessionUserResolver>;
}

/** Sessions in Redis (in-process in the embedded mode), `SessionGuard` and `@CurrentUser()`, for every module. */
@Global()
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions): DynamicModule {
    return {
      module: SessionModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: SessionBackend,
          inject: [AppConfig, REDIS_CLIENT],
          useFactory: (config: AppConfig, redis: RedisClient | null): SessionBackend =>
            redis
              ? new RedisSessionBackend(redis, config.redis.keyPrefix, config.session.ttlSeconds)
              : new MemorySessionBackend(config.session.ttlSeconds * 1000),
        },
        { provide: SessionUserResolver, useClass: options.resolver },
        SessionService,
        SessionGuard,
      ],
      exports: [SessionService, SessionUserResolver, SessionGuard],
    };
  }
}
