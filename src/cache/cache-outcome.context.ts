import { AsyncLocalStorage } from 'node:async_hooks';

/** How a cached call was answered; sent as the `X-Cache` header. */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

/** A request's scope as the cache sees it: an object made per request, where the outcome is kept. */
export interface OutcomeHolder {
  outcome?: CacheOutcome;
}

/**
 * Carries the outcome of the cached call of a request from the service that made it to the hook
 * that answers the request, without request objects in services. The last cached call to finish
 * within a request wins; a call that wraps other cached calls finishes after them.
 *
 * Runs on the application's request scope when the module is given one (`requestScope`), else on
 * its own `AsyncLocalStorage`: every context that is entered per request adds to the cost of every
 * promise the request makes.
 */
export class CacheOutcomeContext {
  /** True when the application runs each request in a scope of its own (the cache enters none). */
  readonly shared: boolean;
  private readonly storage: AsyncLocalStorage<OutcomeHolder>;

  constructor(requestScope?: AsyncLocalStorage<OutcomeHolder>) {
    this.shared = requestScope !== undefined;
    this.storage = requestScope ?? new AsyncLocalStorage<OutcomeHolder>();
  }

  /** Runs a request in a fresh scope (only when the scope is the cache's own). */
  run<T>(work: () => T): T {
    return this.storage.run({}, work);
  }

  /** Runs `work` in a copy of the current scope whose outcome does not reach the answer. */
  untracked<T>(work: () => T): T {
    return this.storage.run({ ...this.storage.getStore(), outcome: undefined }, work);
  }

  current(): CacheOutcome | undefined {
    return this.storage.getStore()?.outcome;
  }

  record(outcome: CacheOutcome): void {
    const holder = this.storage.getStore();
    if (holder) holder.outcome = outcome;
  }
}
