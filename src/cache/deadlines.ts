export class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`Cache operation timed out after ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

interface Open {
  deadline: number;
  reject(error: Error): void;
}

/**
 * Time limits on many operations with one timer: `limit(operation)` settles as the operation does,
 * or rejects with {@link CacheTimeoutError} once `ms` have passed (checked every quarter of `ms`, so
 * at most that much later); the abandoned operation's own outcome is then ignored. A timer and a
 * race of promises for every cache read were a measurable share of a cached read's cost. The timer
 * runs only while operations are open, and never keeps the process alive.
 */
export class Deadlines {
  private readonly open = new Set<Open>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  limit<T>(operation: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const open: Open = { deadline: Date.now() + this.ms, reject };
      this.open.add(open);
      this.timer ??= setInterval(() => this.expire(), Math.max(1, this.ms / 4)).unref();
      operation.then(
        (value) => {
          this.open.delete(open);
          resolve(value);
        },
        (error: Error) => {
          this.open.delete(open);
          reject(error);
        },
      );
    });
  }

  private expire(): void {
    const now = Date.now();
    for (const open of this.open) {
      if (open.deadline > now) continue;
      this.open.delete(open);
      open.reject(new CacheTimeoutError(this.ms));
    }
    if (this.open.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
