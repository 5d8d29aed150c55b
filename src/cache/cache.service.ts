import { randomBytes } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import {
  CACHE_BACKEND,
  CacheBackend,
  EntryToStore,
  Invalidation,
  Lease,
  ReadResult,
} from './cache-backend';
import { CacheKeys } from './cache-keys';
import { CacheMetrics } from './cache.metrics';
import { CACHE_DEFAULTS } from './cache.constants';
import {
  RESOLVED_CACHE_OPTIONS,
  ResolvedCacheOptions,
  ttlOverrideName,
} from './cache-module.options';
import { CacheOutcome, CacheOutcomeContext } from './cache-outcome.context';
import { CacheSpans, EvictionOutcome } from './cache-spans';
import type { LocalCache, Ticket } from './local/local-cache';
import { LOCAL_TIER } from './local/local-tier.provider';
import type { LocalTier } from './local/local-tier';
import { SingleFlight } from './single-flight';
import { jitteredTtlMs } from './ttl';
import { Deadlines } from './deadlines';

export interface LoadOptions<T> {
  /** Seconds; `CACHE_TTL_<NAME>_S`-style overrides given to the module win. */
  ttl: number;
  /** Seconds past the TTL during which the entry may be served STALE if the loader fails. */
  grace?: number;
  tags?: string[] | ((result: T) => string[]);
  unless?: (result: T) => boolean;
  cacheNull?: boolean;
  /** Seconds. */
  nullTtl?: number;
}

export interface EvictOptions {
  keys?: string[];
  tags?: string[];
  allEntries?: boolean;
}

export interface PutOptions<T> {
  /** Seconds; overridden like {@link LoadOptions.ttl}. */
  ttl: number;
  grace?: number;
  tags?: string[] | ((value: T) => string[]);
}

interface Answer<T> {
  value: T;
  outcome: CacheOutcome;
}

/** A declared cache: its Redis keys and, with the L1 tier on, its in-process copies. */
interface DeclaredCache {
  keys: CacheKeys;
  local: LocalCache | null;
  ttlOverride?: number;
}

const WARN_INTERVAL_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The caching operations behind `@Cacheable`, `@CacheEvict` and `@CachePut`, for code that cannot use
 * a decorator. Reads cost one round trip, or none from the L1 tier; misses share one load per key in
 * the process and, through the fill lock, across instances; fills are dropped if an invalidation
 * overtook them; Redis faults degrade to running the loader (BYPASS), and invalidations that could not
 * reach Redis are made good before the cache is read again.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger('Cache');
  private readonly caches = new Map<string, DeclaredCache>();
  private readonly flights = new SingleFlight();
  private readonly deadlines = new Deadlines(CACHE_DEFAULTS.operationTimeoutMs);
  private readonly instanceId = randomBytes(6).toString('hex');
  private sequence = 0;
  /**
   * Set when continuity was lost (the connection dropped, or the master changed in a failover): every
   * known cache's generation is bumped before the next read.
   */
  private recovering = false;
  /** How many times continuity was lost: a read during which it changed is not trusted. */
  private losses = 0;
  private readonly pending: { name: string; invalidation: Invalidation }[] = [];
  private recovery?: Promise<void>;
  private degradedUntil = 0;
  private readonly lastWarnings = new Map<string, number>();
  private readonly spans: CacheSpans | null;

  constructor(
    @Inject(CACHE_BACKEND) private readonly backend: CacheBackend,
    private readonly metrics: CacheMetrics,
    private readonly outcomes: CacheOutcomeContext,
    @Inject(RESOLVED_CACHE_OPTIONS) private readonly options: ResolvedCacheOptions,
    @Inject(LOCAL_TIER) private readonly tier: LocalTier | null,
  ) {
    backend.onContinuityLost(() => {
      this.recovering = true;
      this.losses++;
      tier?.dropAll();
    });
    this.spans = options.tracer ? new CacheSpans(options.tracer) : null;
  }

  /** Declares a cache name; recovery after a lost connection invalidates every declared cache. */
  register(name: string): CacheKeys {
    return this.declared(name).keys;
  }

  /** The cached value of `name`/`key`, or `loader`'s result, stored unless it is `undefined`. */
  getOrLoad<T>(
    name: string,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
  ): Promise<T> {
    const answer = this.spans
      ? this.spans.get(name, () => this.lookup(name, key, loader, options))
      : this.lookup(name, key, loader, options);
    return answer.then(({ value, outcome }) => {
      this.outcomes.record(outcome);
      return value;
    });
  }

  private async lookup<T>(
    name: string,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
  ): Promise<Answer<T>> {
    const cache = this.declared(name);
    const copy = cache.local?.get(key);
    if (copy !== undefined) {
      this.metrics.hits.inc({ cache: name });
      this.metrics.l1Hits.inc({ cache: name });
      return { value: JSON.parse(copy) as T, outcome: 'HIT' };
    }
    const ttl = cache.ttlOverride ?? options.ttl;
    return await this.flights.run(`${cache.keys.base}${key}`, () =>
      this.resolve(name, cache, key, loader, { ...options, ttl }),
    );
  }

  /**
   * Runs `work` without letting its cached calls set the answer's `X-Cache`: for lookups that are
   * not the answer itself, such as a guard resolving the signed-in user.
   */
  untracked<T>(work: () => Promise<T>): Promise<T> {
    return this.outcomes.untracked(work);
  }

  /** Invalidates keys, tags or the whole cache; never throws (a failed invalidation is replayed). */
  async evict(name: string, options: EvictOptions): Promise<void> {
    if (this.spans) return this.spans.evict(name, () => this.invalidate(name, options));
    await this.invalidate(name, options);
  }

  private async invalidate(
    name: string,
    { keys = [], tags = [], allEntries = false }: EvictOptions,
  ): Promise<EvictionOutcome> {
    const invalidation: Invalidation = { keys, tags, all: allEntries };
    const cache = this.declared(name);
    try {
      await this.ready();
      await this.timed(this.backend.invalidate(cache.keys, invalidation));
      return 'evicted';
    } catch (error) {
      this.pending.push({ name, invalidation });
      this.warn(`Invalidation of "${name}" deferred until Redis answers`, error);
      return 'bypass';
    } finally {
      cache.local?.invalidate(invalidation);
    }
  }

  /** Stores `value` as the newest version of the key; a failure only evicts it (later, if need be). */
  async put<T>(name: string, key: string, value: T, options: PutOptions<T>): Promise<void> {
    const cache = this.declared(name);
    const entry = this.entry(value, cache.ttlOverride ?? options.ttl, options.grace, options.tags);
    if (!this.fits(name, entry)) return this.evict(name, { keys: [key] });
    try {
      await this.ready();
      await this.timed(this.backend.put(cache.keys, key, entry));
    } catch (error) {
      this.pending.push({ name, invalidation: { keys: [key], tags: [], all: false } });
      this.warn(`Write-through of "${name}" deferred as an eviction`, error);
    } finally {
      cache.local?.invalidate({ keys: [key], tags: [], all: false });
    }
  }

  private declared(name: string): DeclaredCache {
    let cache = this.caches.get(name);
    if (!cache) {
      const keys = new CacheKeys(this.options.keyPrefix, name);
      cache = {
        keys,
        local: this.tier?.of(keys) ?? null,
        ttlOverride: this.options.ttlOverrides.get(ttlOverrideName(name)),
      };
      this.caches.set(name, cache);
      this.metrics.register(name);
    }
    return cache;
  }

  private async resolve<T>(
    name: string,
    { keys, local }: DeclaredCache,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
  ): Promise<Answer<T>> {
    const ticket = local?.begin() ?? null;
    const token = `${this.instanceId}:${++this.sequence}`;
    let reread = false;
    const read = async (): Promise<ReadResult> => {
      const losses = this.losses;
      const recovery = this.ready();
      if (recovery) await recovery;
      const result = await this.timed(
        this.backend.read(keys, key, CACHE_DEFAULTS.lockTtlMs, token),
      );
      if (losses === this.losses) return result;
      // Continuity was lost on the way (a failover): the answer may predate an invalidation that the
      // old master took and the new one never got. Read again, once, after the cache is renewed.
      if (result.kind === 'lease')
        await this.quietly(this.backend.release(keys, key, result.lease));
      if (reread) throw new Error('Redis changed twice during one read');
      reread = true;
      return read();
    };
    let result;
    try {
      result = await read();
    } catch (error) {
      this.warn('Cache unavailable: answering from the source', error);
      this.metrics.misses.inc({ cache: name });
      return { value: await loader(), outcome: 'BYPASS' };
    }
    const waitStart = Date.now();
    const deadline = waitStart + CACHE_DEFAULTS.lockTtlMs;
    let pause: number = CACHE_DEFAULTS.pollMinMs;
    const waited = result.kind === 'wait' && result.stale === undefined;
    while (result.kind === 'wait' && result.stale === undefined && Date.now() < deadline) {
      await sleep(pause);
      pause = Math.min(pause * 2, CACHE_DEFAULTS.pollMaxMs);
      try {
        result = await read();
      } catch {
        break;
      }
    }
    if (waited) this.spans?.waited(Date.now() - waitStart);
    if (result.kind === 'hit') {
      if (ticket) local?.set(key, ticket, result.value, result.tags, result.ttlMs);
      this.metrics.hits.inc({ cache: name });
      return { value: JSON.parse(result.value) as T, outcome: 'HIT' };
    }
    if (result.kind === 'wait' && result.stale !== undefined) {
      this.metrics.hits.inc({ cache: name });
      return { value: JSON.parse(result.stale) as T, outcome: 'STALE' };
    }
    const fill = { lease: result.lease, stale: result.stale, ticket };
    const load = () => this.loadAndFill(name, { keys, local }, key, loader, options, fill);
    return this.spans ? this.spans.fill(name, waited, load) : load();
  }

  private async loadAndFill<T>(
    name: string,
    { keys, local }: DeclaredCache,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
    { lease, stale, ticket }: { lease: Lease; stale?: string; ticket: Ticket | null },
  ): Promise<Answer<T>> {
    this.metrics.misses.inc({ cache: name });
    this.metrics.loads.inc({ cache: name });
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      void this.quietly(this.backend.release(keys, key, lease));
      if (stale !== undefined && !isClientError(error)) {
        this.warn(`Serving a stale "${name}" entry: its source failed`, error);
        return { value: JSON.parse(stale) as T, outcome: 'STALE' };
      }
      throw error;
    }
    const entry = this.storable(value, options) ? this.entryOf(value, options) : null;
    if (entry && this.fits(name, entry)) {
      const stored = await this.quietly(this.timed(this.backend.fill(keys, key, entry, lease)));
      this.spans?.stored(stored === true);
      if (stored && ticket) local?.set(key, ticket, entry.value, entry.tags, entry.ttlMs);
    } else {
      await this.quietly(this.timed(this.backend.release(keys, key, lease)));
    }
    return { value, outcome: 'MISS' };
  }

  private storable<T>(value: T, options: LoadOptions<T>): boolean {
    if (value === undefined) return false;
    if (value === null && !options.cacheNull) return false;
    return !options.unless?.(value);
  }

  private entryOf<T>(value: T, options: LoadOptions<T>): EntryToStore {
    const ttl = value === null ? (options.nullTtl ?? CACHE_DEFAULTS.nullTtlSeconds) : options.ttl;
    return this.entry(value, ttl, options.grace, options.tags);
  }

  /** Values over the size limit are answered but not stored. */
  private fits(name: string, entry: EntryToStore): boolean {
    if (Buffer.byteLength(entry.value) <= this.options.maxEntryBytes) return true;
    this.warn(`A "${name}" value over ${this.options.maxEntryBytes} bytes was not cached`);
    return false;
  }

  private entry<T>(
    value: T,
    ttlSeconds: number,
    graceSeconds: number = CACHE_DEFAULTS.graceSeconds,
    tags: string[] | ((value: T) => string[]) = [],
  ): EntryToStore {
    const ttlMs = jitteredTtlMs(ttlSeconds);
    return {
      value: JSON.stringify(value),
      tags: typeof tags === 'function' ? tags(value) : tags,
      ttlMs,
      storeMs: ttlMs + graceSeconds * 1000,
    };
  }

  /**
   * Before the cache is read again after continuity was lost (a dropped connection, a failover),
   * every cache this instance knows gets a new generation (entries filled before are no longer
   * served: an invalidation by any instance may have been lost meanwhile), and this instance's
   * deferred invalidations are replayed.
   *
   * Throws while Redis is unreachable; answers the recovery to wait for after an outage, else
   * nothing, so that a read in good times waits for nothing.
   */
  private ready(): Promise<void> | undefined {
    if (!this.backend.available() || Date.now() < this.degradedUntil) {
      throw new Error('Redis is unreachable');
    }
    if (!this.recovering && this.pending.length === 0) return undefined;
    this.recovery ??= this.recover().finally(() => {
      this.recovery = undefined;
    });
    return this.recovery;
  }

  private async recover(): Promise<void> {
    const bumpAll = this.recovering;
    this.recovering = false;
    const pending = this.pending.splice(0);
    const work: { name: string; invalidation: Invalidation }[] = [
      ...(bumpAll
        ? [...this.caches.keys()].map((name) => ({
            name,
            invalidation: { keys: [], tags: [], all: true },
          }))
        : []),
      ...pending,
    ];
    try {
      await Promise.all(
        work.map(({ name, invalidation }) =>
          this.timed(this.backend.invalidate(this.register(name), invalidation)),
        ),
      );
    } catch (error) {
      if (bumpAll) this.recovering = true;
      this.pending.unshift(...pending);
      this.degradedUntil = Date.now() + CACHE_DEFAULTS.operationTimeoutMs;
      throw error;
    } finally {
      for (const { name, invalidation } of work)
        this.declared(name).local?.invalidate(invalidation);
    }
    if (bumpAll) this.logger.log('Cache connection restored: cached entries renewed');
  }

  private timed<T>(operation: Promise<T>): Promise<T> {
    return this.deadlines.limit(operation);
  }

  /** The operation's result, or undefined once its failure is logged. */
  private async quietly<T>(operation: Promise<T>): Promise<T | undefined> {
    try {
      return await operation;
    } catch (error) {
      this.warn('Cache write skipped', error);
      return undefined;
    }
  }

  /** Logs each kind of trouble at most every few seconds: an outage fails every request. */
  private warn(message: string, error?: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarnings.get(message) ?? 0) < WARN_INTERVAL_MS) return;
    this.lastWarnings.set(message, now);
    this.logger.warn(error instanceof Error ? `${message}: ${error.message}` : message);
  }
}

/** A 4xx from the loader is an answer, not an outage: it is never covered up with a stale entry. */
function isClientError(error: unknown): boolean {
  return error instanceof HttpException && error.getStatus() < 500;
}
