import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { FencedLock, FencedRedlock } from './fenced-redlock';
import { LockBusyError, LockLostError, LockUnavailableError } from './lock.errors';
import type { LockSpans } from './lock-spans';
import { Lease, LockBackend } from './lock-backend';
import { extensionThreshold } from './lock-timing';

/**
 * Locks through Redlock with fencing tokens, on the project's Redis (standalone or Cluster) or on a
 * quorum of independent masters.
 */
export class RedisLockBackend implements LockBackend {
  readonly redlock: FencedRedlock;
  private readonly logger = new Logger(RedisLockBackend.name);

  constructor(
    masters: (Redis | Cluster)[],
    private readonly keyPrefix: string,
    spans?: LockSpans,
  ) {
    // A busy lock answers at once (only a split vote of several masters is retried); extension and
    // release try three times before Redlock's loop reconsiders, so a failing Redis is not hammered.
    this.redlock = new FencedRedlock(
      masters,
      { retryCount: 2, retryDelay: 100, retryJitter: 50 },
      spans && { of: spans, nameOf: (key) => this.resourceOf(key) },
    );
    this.redlock.on('error', (error: Error) => {
      if (!(error.name === 'ResourceLockedError')) this.logger.debug(`Redlock: ${error.message}`);
    });
  }

  /** `{lock:<resource>}` is the hash tag shared with the fence key, so one script may touch both. */
  keyOf(resource: string): string {
    return `${this.keyPrefix}:{lock:${resource}}`;
  }

  private resourceOf(key: string): string {
    return key.slice(`${this.keyPrefix}:{lock:`.length, -1);
  }

  async using<T>(
    resource: string,
    ttlMs: number,
    routine: (lease: Lease) => Promise<T>,
  ): Promise<T> {
    const key = this.keyOf(resource);
    let acquired = false;
    try {
      return await this.redlock.using(
        [key],
        ttlMs,
        { automaticExtensionThreshold: extensionThreshold(ttlMs) },
        (signal, context) => {
          acquired = true;
          const { token, acquiredAt } = context.lock as FencedLock;
          const lost = new AbortController();
          signal.addEventListener(
            'abort',
            () => lost.abort(new LockLostError(resource, { cause: signal.error })),
            { once: true },
          );
          const release = async (): Promise<void> => {
            await this.redlock.release(context.lock);
          };
          return routine({ token, acquiredAt, lost: lost.signal, release });
        },
      );
    } catch (error) {
      if (acquired) throw error;
      if (error instanceof LockBusyError) throw new LockBusyError(resource, error.heldSince);
      throw new LockUnavailableError(resource, 'the lock store (Redis) is unreachable', {
        cause: error,
      });
    }
  }
}
