import { LockBusyError, LockLostError } from './lock.errors';
import type { LockSpans } from './lock-spans';
import { Lease, LockBackend } from './lock-backend';
import { extensionThreshold } from './lock-timing';

interface Holding {
  acquiredAt: number;
  expiresAt: number;
}

/**
 * The embedded mode's lock store: the same semantics as the Redis one (expiry, automatic extension,
 * fencing tokens) for the single instance that this mode serves.
 */
export class MemoryLockBackend implements LockBackend {
  private readonly holdings = new Map<string, Holding>();
  private readonly fences = new Map<string, number>();

  /** `spans` makes a span of each extension and release. */
  constructor(private readonly spans?: LockSpans) {}

  async using<T>(
    resource: string,
    ttlMs: number,
    routine: (lease: Lease) => Promise<T>,
  ): Promise<T> {
    const now = Date.now();
    const current = this.holdings.get(resource);
    if (current && current.expiresAt > now) {
      throw new LockBusyError(resource, new Date(current.acquiredAt));
    }
    const holding: Holding = { acquiredAt: now, expiresAt: now + ttlMs };
    this.holdings.set(resource, holding);
    // As in Redis: never below the clock, so that tokens keep increasing across process restarts.
    const token = Math.max((this.fences.get(resource) ?? 0) + 1, now);
    this.fences.set(resource, token);

    const lost = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      timer = setTimeout(extend, holding.expiresAt - Date.now() - extensionThreshold(ttlMs));
    };
    const extend = (): void => {
      // A timer that fires late (a stalled event loop) finds the lock already expired, as Redis would.
      if (this.holdings.get(resource) !== holding || holding.expiresAt <= Date.now()) {
        lost.abort(new LockLostError(resource));
        return;
      }
      holding.expiresAt = Date.now() + ttlMs;
      schedule();
    };
    const free = (): Promise<void> => {
      clearTimeout(timer);
      if (this.holdings.get(resource) === holding) this.holdings.delete(resource);
      return Promise.resolve();
    };
    const release = (): Promise<void> =>
      this.spans && this.holdings.get(resource) === holding
        ? this.spans.around('lock.release', resource, token, free)
        : free();
    schedule();
    try {
      return await routine({ token, acquiredAt: new Date(now), lost: lost.signal, release });
    } finally {
      await release();
    }
  }
}
