import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { CACHE_ORIGIN } from '../cache-backend';
import { RESOLVED_CACHE_OPTIONS, ResolvedCacheOptions } from '../cache-module.options';
import { LocalTier } from './local-tier';

/** Injection token of the L1 tier: a {@link LocalTier}, or null when it is off. */
export const LOCAL_TIER = Symbol('CACHE_LOCAL_TIER');

export const localTierProvider: Provider = {
  provide: LOCAL_TIER,
  inject: [RESOLVED_CACHE_OPTIONS, CACHE_ORIGIN],
  useFactory: (options: ResolvedCacheOptions, origin: string): LocalTier | null =>
    options.redis && options.l1MaxEntries > 0
      ? new LocalTier(options.redis, origin, options)
      : null,
};

/** Closes the tier's subscriber connections with the app. */
@Injectable()
export class LocalTierShutdown implements OnApplicationShutdown {
  constructor(@Inject(LOCAL_TIER) private readonly tier: LocalTier | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tier?.close();
  }
}
