import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';

/** How a cached call was answered; sent as the `X-Cache` header. */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

export interface OutcomeHolder {
  outcome?: CacheOutcome;
}

/**
 * Carries the outcome of the cached call of a request from the service that made it to the hook
 * that answers the request, without request objects in services. The last cached call to finish
 * within a request wins; a call that wraps other cached calls finishes after them.
 */
@Injectable()
export class CacheOutcomeContext {
  private readonly storage = new AsyncLocalStorage<OutcomeHolder>();

  run<T>(holder: OutcomeHolder, work: () => T): T {
    return this.storage.run(holder, work);
  }

  current(): CacheOutcome | undefined {
    return this.storage.getStore()?.outcome;
  }

  record(outcome: CacheOutcome): void {
    const holder = this.storage.getStore();
    if (holder) holder.outcome = outcome;
  }
}
