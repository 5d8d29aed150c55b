import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { Cluster, Redis } from 'ioredis';
import type { WindowSpec } from './buckets';

export interface LeaderboardModuleOptions {
  /** Where the buckets live; `null`: in process (embedded mode, one instance only). */
  redis: Redis | Cluster | null;
  /** Prefix of every key, e.g. `app` → `app:{lb:<board>}:hour:493762`. */
  keyPrefix: string;
  /** The windows boards are read over, by name, e.g. `{ '1h': { unit: 'minute', buckets: 60 } }`. */
  windows: Record<string, WindowSpec>;
  /** How often counts are flushed (ms). Default 1000. */
  flushIntervalMs?: number;
  /**
   * Cap on the (board, minute, member) counts held in process: open ones and those of batches waiting
   * to be resent after a failed flush. Past it, a view that needs a new one is dropped (and counted in
   * `leaderboard_views_dropped_total`); views adding to an open one still count. Default 100 000
   * (some MB): e.g. 1 000 distinct members counted a minute through a 100-minute outage.
   */
  maxPendingMembers?: number;
  /** false: `record()` counts nothing (reads still answer). Default true. */
  counting?: boolean;
  /**
   * OpenTelemetry tracer for a `leaderboard.flush` span per batch sent. Without it no span is made.
   */
  tracer?: Tracer;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface LeaderboardModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => LeaderboardModuleOptions | Promise<LeaderboardModuleOptions>;
}

export const LEADERBOARD_OPTIONS = Symbol('LEADERBOARD_OPTIONS');

export const LEADERBOARD_DEFAULTS = {
  flushIntervalMs: 1_000,
  maxPendingMembers: 100_000,
} as const;
