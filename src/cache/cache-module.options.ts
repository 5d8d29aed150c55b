import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { Cluster, Redis } from 'ioredis';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Registry } from 'prom-client';
import type { OutcomeHolder } from './cache-outcome.context';

export type CacheRedisClient = Redis | Cluster;

export interface CacheModuleOptions {
  /**
   * The ioredis client (standalone or Cluster) that holds the entries, their stamps and fill locks and
   * carries the invalidations; it may evict (`allkeys-lru`). `null`: everything in process, for one
   * instance only. The client stays the caller's to close.
   */
  redis: CacheRedisClient | null;
  /** First part of every key (`<prefix>:{<cache>}:<key>`). Default `cache`. */
  keyPrefix?: string;
  /**
   * TTLs in seconds by cache name, overriding what the decorators declare (see `ttlOverrideName`):
   * `{ product: 60 }` or `{ PRODUCT: 60 }`.
   */
  ttlOverrides?: Record<string, number>;
  /** In-process copies per cache in front of Redis (the L1 tier); 0 (default) turns it off. */
  l1MaxEntries?: number;
  /**
   * Makes the connection the L1 tier subscribes on, to the server `node` talks to (`redis` itself, or
   * the Cluster node that serves a cache's channel). It must connect only when asked (`lazyConnect`)
   * and must not resubscribe by itself (`autoResubscribe: false`): the tier confirms every
   * subscription. Default: `node.duplicate()` with those two options, reconnecting as quickly as
   * the clients of this project do, whatever `node`'s own retry options.
   */
  subscriberConnection?: (node: Redis) => Redis;
  /** The longest an in-process copy is served, whatever happens to invalidation messages. Default 5000. */
  l1MaxAgeMs?: number;
  /** Larger values (as JSON, in bytes) are answered but not cached. Default 1 MiB. */
  maxEntryBytes?: number;
  /** Where the cache counters go; by default the module's own registry. */
  registry?: Registry;
  /**
   * The application's per-request `AsyncLocalStorage`, when it runs every HTTP request in one (for
   * request ids in logs, say), with a new object as the store of each request: the `X-Cache`
   * outcome is kept on that object rather than in a context of the module's own.
   */
  requestScope?: AsyncLocalStorage<OutcomeHolder>;
  /**
   * OpenTelemetry tracer for the cache's spans (`cache.get`, `cache.fill`, `cache.evict`): pass one
   * when traces are exported. Without it the cache makes no span at all, so a cached read pays
   * nothing for tracing, not even for the API's no-op spans.
   */
  tracer?: Tracer;
}

export const {
  ConfigurableModuleClass: ConfigurableCacheModule,
  MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CacheModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** The options with their defaults. */
export interface ResolvedCacheOptions {
  redis: CacheRedisClient | null;
  keyPrefix: string;
  ttlOverrides: Map<string, number>;
  l1MaxEntries: number;
  l1MaxAgeMs: number;
  subscriberConnection: (node: Redis) => Redis;
  maxEntryBytes: number;
  requestScope?: AsyncLocalStorage<OutcomeHolder>;
  tracer?: Tracer;
}

export const RESOLVED_CACHE_OPTIONS = Symbol('RESOLVED_CACHE_OPTIONS');

/** The environment-style name of a cache: `product_list` and `product-list` are `PRODUCT_LIST`. */
export function ttlOverrideName(cache: string): string {
  return cache.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export function resolveCacheOptions(options: CacheModuleOptions): ResolvedCacheOptions {
  const ttlOverrides = new Map<string, number>();
  for (const [name, seconds] of Object.entries(options.ttlOverrides ?? {})) {
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(`The TTL override of "${name}" must be a positive number of seconds`);
    }
    ttlOverrides.set(ttlOverrideName(name), seconds);
  }
  return {
    redis: options.redis,
    keyPrefix: options.keyPrefix ?? 'cache',
    ttlOverrides,
    l1MaxEntries: options.redis ? (options.l1MaxEntries ?? 0) : 0,
    l1MaxAgeMs: options.l1MaxAgeMs ?? 5_000,
    subscriberConnection: options.subscriberConnection ?? duplicateForSubscriber,
    maxEntryBytes: options.maxEntryBytes ?? 1_048_576,
    requestScope: options.requestScope,
    tracer: options.tracer,
  };
}

function duplicateForSubscriber(node: Redis): Redis {
  return node.duplicate({
    lazyConnect: true,
    autoResubscribe: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
  });
}
