/**
 * A number of seconds. (Functions in these options take the arguments of the decorated method; `never`
 * lets you annotate them: `key: (id: string) => id`.)
 */
export type Seconds = number;

export interface CacheableOptions {
  /** The cache: part of every key, the scope of tags and of `allEntries`. */
  name: string;
  /** The entry's key from the method's arguments; by default all arguments (see `defaultKey`). */
  key?: (...args: never[]) => string;
  /** When it answers false for the arguments, the call goes straight to the method, uncached. */
  condition?: (...args: never[]) => boolean;
  /** The entry's lifetime; `CACHE_TTL_<NAME>_S` (the module's `ttlOverrides`) overrides it. */
  ttl: Seconds;
  /** How long past its TTL an entry may still be served as STALE when its loader fails. */
  grace?: Seconds;
  /** Tags of the entry, from the result and the arguments; `CacheEvict({ tags })` invalidates them. */
  tags?: string[] | ((result: never, ...args: never[]) => string[]);
  /** Skips storing a result (the call still answers it). */
  unless?: (result: never, ...args: never[]) => boolean;
  /** Stores `null` results too, for `nullTtl` (negative caching); otherwise `null` is never stored. */
  cacheNull?: boolean;
  nullTtl?: Seconds;
}

export interface CacheEvictOptions {
  name: string;
  /** Keys to evict, from the result (undefined with `beforeInvocation`) and the arguments. */
  key?: (result: never, ...args: never[]) => string | string[];
  /** Tags to invalidate, from the result and the arguments. */
  tags?: string[] | ((result: never, ...args: never[]) => string[]);
  /** Invalidates every entry of the cache (a generation bump; no key scan). */
  allEntries?: boolean;
  /** Evicts before the method runs (and even if it throws) instead of after it succeeded. */
  beforeInvocation?: boolean;
}

export interface CachePutOptions {
  name: string;
  /** The key to store the result under, from the result and the arguments. */
  key: (result: never, ...args: never[]) => string;
  ttl: Seconds;
  tags?: string[] | ((result: never, ...args: never[]) => string[]);
}

export type CacheOperation =
  | { kind: 'cacheable'; options: CacheableOptions }
  | { kind: 'evict'; options: CacheEvictOptions }
  | { kind: 'put'; options: CachePutOptions };
