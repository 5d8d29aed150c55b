import { randomBytes } from 'node:crypto';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CACHE_BACKEND, CacheBackend, EntryToStore, Invalidation, Lease } from './cache-backend';
import { CacheKeys } from './cache-keys';
import { CacheMetrics } from './cache.metrics';
import { CACHE_DEFAULTS } from './cache.constants';
import { CacheOutcome, CacheOutcomeContext } from './cache-outcome.context';
import { SingleFlight } from './single-flight';
import { jitteredTtlMs } from './ttl';
import { withTimeout } from './with-timeout';

export interface LoadOptions<T> {
  /** Seconds. */
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
  ttl: number;
  grace?: number;
  tags?: string[] | ((value: T) => string[]);
}

interface Answer<T> {
  value: T;
  outcome: CacheOutcome;
}

const WARN_INTERVAL_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The caching operations behind `@Cacheable`, `@CacheEvict` and `@CachePut`, for code that cannot use
 * a decorator. Reads cost one round trip; misses share one load per key in the process and, through
 * the fill lock, across instances; fills are dropped if an invalidation overtook them; Redis faults
 * degrade to running the loader (BYPASS), and invalidations that could not reach Redis are made good
 * before the cache is read again.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger('Cache');
  private readonly keySets = new Map<string, CacheKeys>();
  private readonly flights = new SingleFlight();
  private readonly instanceId = randomBytes(6).toString('hex');
  private sequence = 0;
  /** Set when the connection dropped: every known cache's generation is bumped before the next read. */
  private recovering = false;
  private readonly pending: { name: string; invalidation: Invalidation }[] = [];
  private recovery?: Promise<void>;
  private degradedUntil = 0;
  private readonly lastWarnings = new Map<string, number>();

  constructor(
    @Inject(CACHE_BACKEND) private readonly backend: CacheBackend,
    private readonly metrics: CacheMetrics,
    private readonly outcomes: CacheOutcomeContext,
    private readonly config: AppConfig,
  ) {
    backend.onConnectionLost(() => {
      this.recovering = true;
    });
  }

  /** Declares a cache name; recovery after a lost connection invalidates every declared cache. */
  register(name: string): CacheKeys {
    let keys = this.keySets.get(name);
    if (!keys) {
      keys = new CacheKeys(this.config.redis.keyPrefix, name);
      this.keySets.set(name, keys);
      this.metrics.register(name);
    }
    return keys;
  }

  /** The cached value of `name`/`key`, or `loader`'s result, stored unless it is `undefined`. */
  async getOrLoad<T>(
    name: string,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
  ): Promise<T> {
    const keys = this.register(name);
    const answer = await this.flights.run(`${keys.base}${key}`, () =>
      this.resolve(name, keys, key, loader, options),
    );
    this.outcomes.record(answer.outcome);
    return answer.value;
  }

  /**
   * Runs `work` without letting its cached calls set the answer's `X-Cache`: for lookups that are
   * not the answer itself, such as a guard resolving the signed-in user.
   */
  untracked<T>(work: () => Promise<T>): Promise<T> {
    return this.outcomes.run({}, work);
  }

  /** Invalidates keys, tags or the whole cache; never throws (a failed invalidation is replayed). */
  async evict(
    name: string,
    { keys = [], tags = [], allEntries = false }: EvictOptions,
  ): Promise<void> {
    const invalidation: Invalidation = { keys, tags, all: allEntries };
    const keySet = this.register(name);
    try {
      await this.ready();
      await this.timed(this.backend.invalidate(keySet, invalidation));
    } catch (error) {
      this.pending.push({ name, invalidation });
      this.warn(`Invalidation of "${name}" deferred until Redis answers`, error);
    }
  }

  /** Stores `value` as the newest version of the key; a failure only evicts it (later, if need be). */
  async put<T>(name: string, key: string, value: T, options: PutOptions<T>): Promise<void> {
    const keys = this.register(name);
    const entry = this.entry(value, options.ttl, options.grace, options.tags);
    try {
      await this.ready();
      await this.timed(this.backend.put(keys, key, entry));
    } catch (error) {
      this.pending.push({ name, invalidation: { keys: [key], tags: [], all: false } });
      this.warn(`Write-through of "${name}" deferred as an eviction`, error);
    }
  }

  private async resolve<T>(
    name: string,
    keys: CacheKeys,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
  ): Promise<Answer<T>> {
    const token = `${this.instanceId}:${++this.sequence}`;
    const read = () => this.timed(this.backend.read(keys, key, CACHE_DEFAULTS.lockTtlMs, token));
    let result;
    try {
      await this.ready();
      result = await read();
    } catch (error) {
      this.warn('Cache unavailable: answering from the source', error);
      this.metrics.misses.inc({ cache: name });
      return { value: await loader(), outcome: 'BYPASS' };
    }
    const deadline = Date.now() + CACHE_DEFAULTS.lockTtlMs;
    let pause: number = CACHE_DEFAULTS.pollMinMs;
    while (result.kind === 'wait' && result.stale === undefined && Date.now() < deadline) {
      await sleep(pause);
      pause = Math.min(pause * 2, CACHE_DEFAULTS.pollMaxMs);
      try {
        result = await read();
      } catch {
        break;
      }
    }
    if (result.kind === 'hit') {
      this.metrics.hits.inc({ cache: name });
      return { value: JSON.parse(result.value) as T, outcome: 'HIT' };
    }
    if (result.kind === 'wait' && result.stale !== undefined) {
      this.metrics.hits.inc({ cache: name });
      return { value: JSON.parse(result.stale) as T, outcome: 'STALE' };
    }
    return this.loadAndFill(name, keys, key, loader, options, result.lease, result.stale);
  }

  private async loadAndFill<T>(
    name: string,
    keys: CacheKeys,
    key: string,
    loader: () => Promise<T>,
    options: LoadOptions<T>,
    lease: Lease,
    stale: string | undefined,
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
    if (this.storable(value, options)) {
      const ttl = value === null ? (options.nullTtl ?? CACHE_DEFAULTS.nullTtlSeconds) : options.ttl;
      const entry = this.entry(value, ttl, options.grace, options.tags);
      await this.quietly(this.timed(this.backend.fill(keys, key, entry, lease)));
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
   * Before the cache is read again after a lost connection, every cache this instance knows gets a
   * new generation (entries filled before are no longer served: an invalidation by any instance may
   * have been lost meanwhile), and this instance's deferred invalidations are replayed.
   */
  private async ready(): Promise<void> {
    if (!this.backend.available() || Date.now() < this.degradedUntil) {
      throw new Error('Redis is unreachable');
    }
    if (!this.recovering && this.pending.length === 0) return;
    this.recovery ??= this.recover().finally(() => {
      this.recovery = undefined;
    });
    await this.recovery;
  }

  private async recover(): Promise<void> {
    const bumpAll = this.recovering;
    this.recovering = false;
    const pending = this.pending.splice(0);
    const work: { name: string; invalidation: Invalidation }[] = [
      ...(bumpAll
        ? [...this.keySets.keys()].map((name) => ({
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
    }
    if (bumpAll) this.logger.log('Cache connection restored: cached entries renewed');
  }

  private timed<T>(operation: Promise<T>): Promise<T> {
    return withTimeout(operation, CACHE_DEFAULTS.operationTimeoutMs);
  }

  private async quietly(operation: Promise<unknown>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      this.warn('Cache write skipped', error);
    }
  }

  /** Logs each kind of trouble at most every few seconds: an outage fails every request. */
  private warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarnings.get(message) ?? 0) < WARN_INTERVAL_MS) return;
    this.lastWarnings.set(message, now);
    this.logger.warn(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A 4xx from the loader is an answer, not an outage: it is never covered up with a stale entry. */
function isClientError(error: unknown): boolean {
  return error instanceof HttpException && error.getStatus() < 500;
}
