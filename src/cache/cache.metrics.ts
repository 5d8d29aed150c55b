import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Cache counters on the app instance's registry, labelled by cache name. */
@Injectable()
export class CacheMetrics {
  readonly hits: Counter<'cache'>;
  readonly misses: Counter<'cache'>;
  readonly loads: Counter<'cache'>;

  constructor(registry: Registry) {
    const counter = (name: string, help: string): Counter<'cache'> =>
      new Counter({ name, help, labelNames: ['cache'], registers: [registry] });
    this.hits = counter('cache_hits_total', 'Cached calls answered from the cache (HIT or STALE)');
    this.misses = counter('cache_misses_total', 'Cached calls answered by running the method');
    this.loads = counter('cache_loads_total', 'Runs of a cached method to fill an entry');
  }

  /** Shows a cache's counters at zero before its first call. */
  register(cache: string): void {
    for (const counter of [this.hits, this.misses, this.loads]) counter.inc({ cache }, 0);
  }
}
