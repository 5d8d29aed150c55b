import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Counter } from 'prom-client';
import { Batch, buildBatch, unexpired } from './batch';
import { BucketUnit, UNIT_MS, WindowSpec, liveBuckets, retention, windowBuckets } from './buckets';
import { LEADERBOARD_BACKEND, LeaderboardBackend, Ranked } from './leaderboard-backend';
import { assertBoardName } from './leaderboard-keys';
import { LeaderboardMetrics } from './leaderboard.metrics';
import {
  LEADERBOARD_DEFAULTS,
  LEADERBOARD_OPTIONS,
  LeaderboardModuleOptions,
} from './leaderboard.options';
import { PendingCounts } from './pending-counts';

/** A sealed batch waiting to be (re)sent, and how many pending pairs it holds against the cap. */
interface Unsent {
  batch: Batch;
  pairs: number;
}

const WARN_INTERVAL_MS = 5_000;

/**
 * Time-bucketed counters read as ranked windows. `record()` only adds to a map in process; every
 * `flushIntervalMs` (and at shutdown) each board's counts go to the store as one batch, applied
 * atomically and at most once (a batch resent after a lost answer is recognised by its sequence
 * number). A batch that fails is kept as it is and resent before any newer counts of its board, so
 * nothing is lost or counted twice while the store is down, within the cap on pending members.
 */
@Injectable()
export class Leaderboard implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Leaderboard');
  private readonly writer = randomBytes(8).toString('hex');
  private readonly windows: Map<string, WindowSpec>;
  private readonly kept: Map<BucketUnit, number>;
  private readonly now: () => number;
  private readonly cap: number;
  private readonly open = new Map<string, PendingCounts>();
  private readonly unsent = new Map<string, Unsent>();
  private readonly counters = new Map<string, Counter.Internal>();
  /** Pending pairs, open and unsent, of every board: what the cap bounds. */
  private held = 0;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private flushesQueued = 0;
  private timer?: NodeJS.Timeout;
  private lastWarning = 0;

  constructor(
    @Inject(LEADERBOARD_OPTIONS) private readonly options: LeaderboardModuleOptions,
    @Inject(LEADERBOARD_BACKEND) private readonly backend: LeaderboardBackend,
    private readonly metrics: LeaderboardMetrics,
  ) {
    this.windows = new Map(Object.entries(options.windows));
    this.kept = retention(this.windows.values());
    this.now = options.now ?? Date.now;
    this.cap = options.maxPendingMembers ?? LEADERBOARD_DEFAULTS.maxPendingMembers;
  }

  onModuleInit(): void {
    const interval = this.options.flushIntervalMs ?? LEADERBOARD_DEFAULTS.flushIntervalMs;
    this.timer = setInterval(() => {
      if (this.flushesQueued === 0) void this.flush();
    }, interval);
    this.timer.unref();
  }

  /** Flushes what is left once requests have stopped (the store's connection is still open). */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (!(await this.flush())) {
      this.logger.error(`Shutting down with ${this.held} counts that could not be written`);
    }
  }

  /** Counts `by` for `member` of `board` now. In process only: no I/O. */
  record(board: string, member: string, by = 1): void {
    if (this.options.counting === false) return;
    let pending = this.open.get(board);
    if (!pending) {
      assertBoardName(board);
      pending = new PendingCounts();
      this.open.set(board, pending);
    }
    const minute = Math.floor(this.now() / UNIT_MS.minute);
    const outcome = pending.add(minute, member, by, this.held < this.cap);
    if (outcome === 'dropped') {
      this.metrics.dropped.inc({ board }, by);
      return;
    }
    if (outcome === 'new') this.held++;
    this.counted(board).inc(by);
  }

  /** The `limit` top members of `board` over the named window, score desc then member asc. */
  top(board: string, window: string, limit: number): Promise<Ranked[]> {
    const spec = this.windows.get(window);
    if (!spec) throw new Error(`Unknown leaderboard window "${window}"`);
    return this.backend.top(board, windowBuckets(spec, this.now()), limit);
  }

  /**
   * Removes `member` from every bucket of `board` at once, and from this instance's pending counts.
   * Other instances may still hold counts of it that a later flush writes: readers that must never
   * see a removed member filter it out as well.
   */
  async remove(board: string, member: string): Promise<void> {
    this.held -= this.open.get(board)?.forget(member) ?? 0;
    await this.backend.remove(board, liveBuckets(this.kept, this.now()), member);
  }

  /**
   * Writes every count recorded before the call (after any flush already running); answers false
   * if some board's batch failed (it is kept for the next flush).
   */
  flush(): Promise<boolean> {
    this.flushesQueued++;
    const run = this.queue.then(() => this.flushAll()).finally(() => this.flushesQueued--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flushAll(): Promise<boolean> {
    const boards = new Set([...this.open.keys(), ...this.unsent.keys()]);
    const results = await Promise.all([...boards].map((board) => this.flushBoard(board)));
    return results.every(Boolean);
  }

  /** Resends the board's failed batch first, if any, then sends its open counts. */
  private async flushBoard(board: string): Promise<boolean> {
    const failed = this.unsent.get(board);
    if (failed && !(await this.send(board, failed))) return false;
    const fresh = this.seal(board);
    return !fresh || this.send(board, fresh);
  }

  /**
   * Sends one batch; with a tracer, as a `leaderboard.flush` span that starts a trace of its own
   * (a batch holds the views of many requests), with the board and the number of counts.
   */
  private send(board: string, unsent: Unsent): Promise<boolean> {
    const { tracer } = this.options;
    if (!tracer) return this.apply(board, unsent);
    const attributes = { 'leaderboard.board': board, 'leaderboard.counts': unsent.pairs };
    return tracer.startActiveSpan('leaderboard.flush', { root: true, attributes }, async (span) => {
      const sent = await this.apply(board, unsent);
      if (!sent) span.setStatus({ code: SpanStatusCode.ERROR, message: 'kept for the next flush' });
      span.end();
      return sent;
    });
  }

  private async apply(board: string, unsent: Unsent): Promise<boolean> {
    try {
      await this.backend.apply(board, this.writer, unexpired(unsent.batch, this.now()));
    } catch (error) {
      this.unsent.set(board, unsent);
      this.metrics.flushFailures.inc({ board });
      this.warn(`Flush of "${board}" failed, ${this.held} counts kept for the next one`, error);
      return false;
    }
    this.unsent.delete(board);
    this.held -= unsent.pairs;
    this.metrics.flushes.inc({ board });
    return true;
  }

  private seal(board: string): Unsent | undefined {
    const pending = this.open.get(board);
    if (!pending || pending.size === 0) return undefined;
    const pairs = pending.size;
    return { batch: buildBatch(++this.seq, pending.take(), this.kept), pairs };
  }

  private counted(board: string): Counter.Internal {
    let counter = this.counters.get(board);
    if (!counter) {
      counter = this.metrics.counted.labels({ board });
      this.counters.set(board, counter);
    }
    return counter;
  }

  /** Logs at most every few seconds: while the store is down every flush fails. */
  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
