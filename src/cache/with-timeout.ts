export class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`Cache operation timed out after ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/** Rejects after `ms`; the abandoned operation's own outcome is ignored. */
export function withTimeout<T>(operation: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(ms)), ms);
  });
  operation.catch(() => undefined);
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
