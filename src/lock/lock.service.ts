import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { context, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LockBusyError, LockShutdownError, LockUnavailableError } from './lock.errors';
import { LOCK_BACKEND, Lease, LockBackend } from './lock-backend';
import { LOCK_TRACER, LockSpans } from './lock-spans';
import { effectiveTtl } from './lock-timing';

/** What the work running under a lock knows about it. */
export interface HeldLock {
  readonly resource: string;
  /** Fencing token: pass it to every write the lock protects, and let the write refuse older ones. */
  readonly token: number;
  readonly acquiredAt: Date;
  /** Aborted when the lock is lost or the application shuts down: stop, and do not write. */
  readonly signal: AbortSignal;
}

export type LockedWork<T> = (signal: AbortSignal, token: number, held: HeldLock) => Promise<T>;

interface Holding {
  readonly resource: string;
  readonly shutdown: AbortController;
  lease?: Lease;
  settled: Promise<unknown>;
}

/** How long shutdown waits for aborted work to wind down before it releases the locks anyway. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * Runs work under a named lock with a fencing token, extending the lock while the work runs and
 * releasing it when the work settles, fails, or the application shuts down.
 */
@Injectable()
export class LockService implements OnModuleDestroy {
  private readonly logger = new Logger(LockService.name);
  private readonly holdings = new Set<Holding>();
  private readonly context = new AsyncLocalStorage<HeldLock>();
  private readonly acquisitions: Counter<'lock' | 'result'>;
  private shuttingDown = false;
  private readonly spans: LockSpans | null;

  constructor(
    @Inject(LOCK_BACKEND) private readonly backend: LockBackend,
    private readonly config: AppConfig,
    registry: Registry,
    @Optional() @Inject(LOCK_TRACER) tracer?: Tracer | null,
  ) {
    this.spans = tracer ? new LockSpans(tracer) : null;
    this.acquisitions = new Counter({
      name: 'lock_acquisitions_total',
      help: 'Lock acquisition attempts by lock and result (acquired or busy)',
      labelNames: ['lock', 'result'],
      registers: [registry],
    });
  }

  /** LOCK_TTL_MS: the lifetime of a lock whose holder stops extending it. */
  get defaultTtlMs(): number {
    return this.config.lock.ttlMs;
  }

  /**
   * Runs `work` while holding `resource`. Throws `LockBusyError` at once when another holder has it,
   * `LockUnavailableError` when the lock store cannot be reached; otherwise settles as `work` does.
   */
  async using<T>(resource: string, ttlMs: number, work: LockedWork<T>): Promise<T> {
    if (this.shuttingDown) {
      throw new LockUnavailableError(resource, 'the application is shutting down');
    }
    const ttl = effectiveTtl(ttlMs);
    const holding: Holding = {
      resource,
      shutdown: new AbortController(),
      settled: Promise.resolve(),
    };
    this.holdings.add(holding);
    // With tracing, the store's commands, extensions and release are children of `lock.acquire`,
    // while the work itself goes on under the caller's span.
    const caller = context.active();
    const acquiring = this.spans?.acquiring(resource);
    const acquire = () =>
      this.backend.using(resource, ttl, (lease) => {
        holding.lease = lease;
        this.acquisitions.inc({ lock: resource, result: 'acquired' });
        if (acquiring) this.spans?.acquired(acquiring.span, lease.token);
        const signal = AbortSignal.any([lease.lost, holding.shutdown.signal]);
        const held: HeldLock = {
          resource,
          token: lease.token,
          acquiredAt: lease.acquiredAt,
          signal,
        };
        const hold = () => this.context.run(held, () => work(signal, lease.token, held));
        return acquiring ? context.with(caller, hold) : hold();
      });
    const run = acquiring ? context.with(acquiring.context, acquire) : acquire();
    holding.settled = run.catch(() => undefined);
    try {
      return await run;
    } catch (error) {
      if (!holding.lease) {
        if (error instanceof LockBusyError) {
          this.acquisitions.inc({ lock: resource, result: 'busy' });
        }
        if (acquiring) this.spans?.failed(acquiring.span, error);
      }
      throw error;
    } finally {
      this.holdings.delete(holding);
    }
  }

  /** The lock held by the calling `@WithLock` method (or `using` work), if any. */
  current(): HeldLock | undefined {
    return this.context.getStore();
  }

  /** Runs before the Redis client quits: abort every holder's work, then make sure its lock is gone. */
  async onModuleDestroy(): Promise<void> {
    this.shuttingDown = true;
    const holdings = [...this.holdings];
    if (holdings.length === 0) return;
    for (const holding of holdings) {
      holding.shutdown.abort(new LockShutdownError(holding.resource));
    }
    const settled = Promise.all(holdings.map((h) => h.settled)).then(() => 'settled' as const);
    const graceOver = new AbortController();
    const grace = sleep(SHUTDOWN_GRACE_MS, 'timeout' as const, { signal: graceOver.signal });
    const outcome = await Promise.race([settled, grace.catch(() => 'settled' as const)]);
    graceOver.abort();
    if (outcome === 'timeout') {
      this.logger.warn('Work under a lock ignored shutdown; releasing its lock anyway');
      await Promise.all(holdings.map((h) => h.lease?.release() ?? Promise.resolve()));
    }
  }
}
