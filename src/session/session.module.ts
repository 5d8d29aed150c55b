import { join } from 'node:path';
import { DynamicModule, Global, Module, ModuleMetadata, Type } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.constants';
import { MemorySessionBackend } from './memory-session-backend';
import { RedisSessionBackend } from './redis-session-backend';
import { SessionBackend } from './session-backend';
import { SessionCookie } from './session-cookie';
import { SessionLifetime } from './session-lifetime';
import { SessionUserResolver } from './session-user.resolver';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

/** In the embedded mode, sessions outlive restarts in the data folder the process holds. */
const embeddedSessionsFile = ({ database }: AppConfig): string | undefined =>
  database.url ? undefined : join(database.dataDir, 'sessions.json');

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
          provide: SessionLifetime,
          inject: [AppConfig],
          useFactory: ({ session }: AppConfig) =>
            new SessionLifetime(session.ttlSeconds, session.maxAgeSeconds),
        },
        {
          provide: SessionBackend,
          inject: [AppConfig, REDIS_CLIENT, SessionLifetime],
          useFactory: (
            config: AppConfig,
            redis: RedisClient | null,
            lifetime: SessionLifetime,
          ): SessionBackend =>
            redis
              ? new RedisSessionBackend(redis, config.redis.keyPrefix, lifetime)
              : new MemorySessionBackend(lifetime, embeddedSessionsFile(config)),
        },
        {
          provide: SessionCookie,
          inject: [AppConfig],
          useFactory: ({ production }: AppConfig) => new SessionCookie(production),
        },
        { provide: SessionUserResolver, useClass: options.resolver },
        SessionService,
        SessionGuard,
      ],
      exports: [SessionService, SessionUserResolver, SessionGuard, SessionCookie],
    };
  }
}
