import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AppConfigModule } from '../../src/config/config.module';
import { LockModule } from '../../src/lock';
import { RedisModule } from '../../src/redis/redis.module';

@Global()
@Module({
  providers: [{ provide: Registry, useFactory: () => new Registry() }],
  exports: [Registry],
})
class TestMetricsModule {}

/** The lock library alone, as an app would wire it: configuration, the Redis client, metrics. */
@Module({})
export class LockHostModule {
  static forRoot(env: Record<string, string>, providers: Provider[] = []): DynamicModule {
    return {
      module: LockHostModule,
      imports: [AppConfigModule.forRoot(env), RedisModule, TestMetricsModule, LockModule],
      providers,
    };
  }
}

/** A promise the test resolves when it chooses: holds a lock holder's work until then. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}
