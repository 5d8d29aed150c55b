import type { CacheKeys } from './cache-keys';

/**
 * A fill's right to store: the cache's clock when the read missed (a fill is dropped if the key, a tag
 * or the generation was invalidated after it), when it was issued, and the fill lock's token if this
 * caller holds the lock.
 */
export interface Lease {
  clock: number;
  issuedAt: number;
  token: string | null;
}

export type ReadResult =
  /** `ttlMs`: what remains of the entry's logical lifetime. */
  | { kind: 'hit'; value: string; tags: string[]; ttlMs: number }
  /** A miss, and this caller holds the fill lock; `stale` is an expired entry still within grace. */
  | { kind: 'lease'; lease: Lease; stale?: string }
  /** A miss while another caller holds the fill lock. */
  | { kind: 'wait'; lease: Lease; stale?: string };

export interface EntryToStore {
  /** The value as JSON. */
  value: string;
  tags: string[];
  /** Logical lifetime: past it the entry is a miss (but can still be served STALE). */
  ttlMs: number;
  /** Logical lifetime plus grace: when the store drops it. */
  storeMs: number;
}

export interface Invalidation {
  keys: string[];
  tags: string[];
  all: boolean;
}

/** The atomic operations of a cache; each is one Lua script on Redis, one critical section in memory. */
export interface CacheBackend {
  read(keys: CacheKeys, key: string, lockTtlMs: number, token: string): Promise<ReadResult>;
  /** Stores the entry unless the lease was overtaken by an invalidation; frees the lease's lock. */
  fill(keys: CacheKeys, key: string, entry: EntryToStore, lease: Lease): Promise<boolean>;
  release(keys: CacheKeys, key: string, lease: Lease): Promise<void>;
  /** Stores the entry as the newest version of the key, overtaking fills in flight. */
  put(keys: CacheKeys, key: string, entry: EntryToStore): Promise<void>;
  invalidate(keys: CacheKeys, invalidation: Invalidation): Promise<void>;
  /** False while the store is known to be unreachable (so callers bypass it without waiting). */
  available(): boolean;
  /**
   * Calls `listener` whenever entries may have missed invalidations (never, in memory): the
   * connection to the store dropped, or the server holding the entries changed (a failover). When a
   * read's answer comes from a new server, `listener` is called before the read resolves.
   */
  onContinuityLost(listener: () => void): void;
}

export const CACHE_BACKEND = Symbol('CACHE_BACKEND');

/** Injection token of this app instance's id in invalidation messages (it skips its own). */
export const CACHE_ORIGIN = Symbol('CACHE_ORIGIN');
