import { Span, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import type { CacheOutcome } from './cache-outcome.context';

/** `cache.outcome` of an eviction: it reached the store, or was deferred because the store is down. */
export type EvictionOutcome = 'evicted' | 'bypass';

/**
 * The cache's spans, made only when the module is given a tracer (`CacheModule.forRoot({ tracer })`),
 * so that a cached read without tracing pays for no span, not even a no-op one:
 * - `cache.get` per cached call, with `cache.name` and `cache.outcome` (`hit`, `miss`, `stale`,
 *   `bypass`), and `cache.lease.wait_ms` when it waited for another caller's fill;
 * - `cache.fill` around the load and the store of a miss (the database's spans are its children),
 *   with `cache.stored` and `cache.lease.waited` when it loads after waiting in vain for a lease;
 * - `cache.evict` per invalidation, `cache.outcome` `evicted` or `bypass` (deferred until Redis answers).
 */
export class CacheSpans {
  constructor(private readonly tracer: Tracer) {}

  get<T extends { outcome: CacheOutcome }>(name: string, work: () => Promise<T>): Promise<T> {
    return this.inSpan('cache.get', name, async (span) => {
      const answer = await work();
      span.setAttribute('cache.outcome', answer.outcome.toLowerCase());
      return answer;
    });
  }

  fill<T extends { outcome: CacheOutcome }>(
    name: string,
    waited: boolean,
    work: () => Promise<T>,
  ): Promise<T> {
    return this.inSpan('cache.fill', name, async (span) => {
      if (waited) span.setAttribute('cache.lease.waited', true);
      const answer = await work();
      span.setAttribute('cache.outcome', answer.outcome.toLowerCase());
      return answer;
    });
  }

  evict(name: string, work: () => Promise<EvictionOutcome>): Promise<void> {
    return this.inSpan('cache.evict', name, async (span) => {
      span.setAttribute('cache.outcome', await work());
    });
  }

  /** Notes on the current span that the read waited `ms` for another caller's fill. */
  waited(ms: number): void {
    trace.getActiveSpan()?.setAttribute('cache.lease.wait_ms', ms);
  }

  /** Notes on the current span whether the fill stored its value (an invalidation may drop it). */
  stored(stored: boolean): void {
    trace.getActiveSpan()?.setAttribute('cache.stored', stored);
  }

  private inSpan<T>(operation: string, name: string, work: (span: Span) => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(
      operation,
      { attributes: { 'cache.name': name } },
      async (span) => {
        try {
          return await work(span);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }
}
