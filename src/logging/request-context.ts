import { AsyncLocalStorage } from 'node:async_hooks';
import type { OutcomeHolder } from '../cache';

/** What each request carries through its async calls: its id, and what the cache keeps there. */
export interface RequestScope extends OutcomeHolder {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * The id of the request being handled, for log lines written through Nest's `Logger` by code that
 * has no request object (services, filters, guards). Fastify's own `request.log` carries it already.
 * The cache module keeps each request's `X-Cache` outcome in the same scope (its `requestScope`
 * option), so that a request enters one context, not two.
 */
export const requestContext = {
  storage,
  run<T>(requestId: string, work: () => T): T {
    return storage.run({ requestId }, work);
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};
