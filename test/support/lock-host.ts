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

/** Records each promise's outcome as it settles, so that a test can look before all have; `all` waits. */
export function settlingInOrder<T>(promises: Promise<T>[]): {
  settled: PromiseSettledResult<T>[];
  all: Promise<unknown>;
} {
  const settled: PromiseSettledResult<T>[] = [];
  const all = Promise.all(
    promises.map((promise) =>
      promise.then(
        (value) => settled.push({ status: 'fulfilled', value }),
        (reason: unknown) => settled.push({ status: 'rejected', reason }),
      ),
    ),
  );
  return { settled, all };
}
