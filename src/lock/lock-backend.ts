/** One holding of a lock, as a backend hands it to the routine that runs under it. */
export interface Lease {
  /**
   * Fencing token: strictly increases from one acquisition of the resource to the next, and is
   * never below the lock store's clock in ms, so it keeps increasing if the store loses its counter.
   */
  readonly token: number;
  /** When the lock was acquired, on the lock store's clock. */
  readonly acquiredAt: Date;
  /** Aborted when the lock is lost: it expired or could not be extended. */
  readonly lost: AbortSignal;
  /** Releases the lock now if it is still held; safe to call more than once, never throws. */
  release(): Promise<void>;
}

/**
 * A lock store. `using` acquires `resource` for `ttlMs` or throws `LockBusyError`, keeps extending it
 * while `routine` runs, aborts `lease.lost` if it cannot, and releases it when `routine` settles.
 * Store errors before the routine starts surface as `LockUnavailableError`.
 */
export interface LockBackend {
  using<T>(resource: string, ttlMs: number, routine: (lease: Lease) => Promise<T>): Promise<T>;
}

export const LOCK_BACKEND = Symbol('LOCK_BACKEND');
