import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/**
 * The id of the request being handled, for log lines written through Nest's `Logger` by code that
 * has no request object (services, filters, guards). Fastify's own `request.log` carries it already.
 */
export const requestContext = {
  run<T>(requestId: string, work: () => T): T {
    return storage.run(requestId, work);
  },
  requestId(): string | undefined {
    return storage.getStore();
  },
};
