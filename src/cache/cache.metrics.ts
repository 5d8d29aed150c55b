import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { CACHE_MODULE_OPTIONS, CacheModuleOptions } from './cache-module.options';

/**
 * Cache counters labelled by cache name, on the registry given in the module options, else on the
 * app's `Registry` provider if there is one, else on a registry of their own.
 */
@Injectable()
export class CacheMetrics {
  readonly hits: Counter<'cache'>;
  readonly l1Hits: Counter<'cache'>;
  readonly misses: Counter<'cache'>;
  readonly loads: Counter<'cache'>;

  constructor(
    @Inject(CACHE_MODULE_OPTIONS) options: CacheModuleOptions,
    @Optional() appRegistry?: Registry,
  ) {
    const registry = options.registry ?? appRegistry ?? new Registry();
    const counter = (name: string, help: string): Counter<'cache'> =>
      new Counter({ name, help, labelNames: ['cache'], registers: [registry] });
    this.hits = counter('cache_hits_total', 'Cached calls answered from the cache (HIT or STALE)');
    this.l1Hits = counter(
      'cache_l1_hits_total',
      'Cached calls answered from the in-process L1 tier (also counted in cache_hits_total)',
    );
    this.misses = counter('cache_misses_total', 'Cached calls answered by running the method');
    this.loads = counter('cache_loads_total', 'Runs of a cached method to fill an entry');
  }

  /** Shows a cache's counters at zero before its first call. */
  register(cache: string): void {
    for (const counter of [this.hits, this.l1Hits, this.misses, this.loads])
      counter.inc({ cache }, 0);
  }
}
