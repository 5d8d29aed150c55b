import { DynamicModule, Module, Provider } from '@nestjs/common';
import { LEADERBOARD_BACKEND } from './leaderboard-backend';
import { LeaderboardMetrics } from './leaderboard.metrics';
import {
  LEADERBOARD_OPTIONS,
  LeaderboardModuleAsyncOptions,
  LeaderboardModuleOptions,
} from './leaderboard.options';
import { Leaderboard } from './leaderboard.service';
import { MemoryLeaderboardBackend } from './memory-leaderboard.backend';
import { RedisLeaderboardBackend } from './redis-leaderboard.backend';

/**
 * Time-bucketed leaderboards on Redis sorted sets (in process without Redis): `Leaderboard.record()`
 * on the hot path, `top()` over a window, `remove()`. Needs prom-client's `Registry` as a provider.
 * Not global: import it where it is used, so that its final flush runs before the (global) Redis
 * connection closes at shutdown.
 */
@Module({})
export class LeaderboardModule {
  static forRoot(options: LeaderboardModuleOptions): DynamicModule {
    return LeaderboardModule.with({ provide: LEADERBOARD_OPTIONS, useValue: options });
  }

  static forRootAsync(options: LeaderboardModuleAsyncOptions): DynamicModule {
    return LeaderboardModule.with(
      {
        provide: LEADERBOARD_OPTIONS,
        inject: options.inject ?? [],
        useFactory: options.useFactory,
      },
      options.imports,
    );
  }

  private static with(
    optionsProvider: Provider,
    imports: LeaderboardModuleAsyncOptions['imports'] = [],
  ): DynamicModule {
    return {
      module: LeaderboardModule,
      imports,
      providers: [
        optionsProvider,
        {
          provide: LEADERBOARD_BACKEND,
          inject: [LEADERBOARD_OPTIONS],
          useFactory: ({ redis, keyPrefix, now }: LeaderboardModuleOptions) =>
            redis
              ? new RedisLeaderboardBackend(redis, keyPrefix)
              : new MemoryLeaderboardBackend(now),
        },
        LeaderboardMetrics,
        Leaderboard,
      ],
      exports: [Leaderboard],
    };
  }
}
