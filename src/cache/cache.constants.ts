/** Tuning of the caching toolkit. Every Redis call of the cache is bounded by OPERATION_TIMEOUT_MS. */
export const CACHE_DEFAULTS = {
  /** A cache call that takes longer is abandoned: reads bypass the cache, evictions are replayed later. */
  operationTimeoutMs: 200,
  /** How long a loader holds the fill lock of a key; others wait for its value at most this long. */
  lockTtlMs: 3_000,
  /** First and last pause between two polls of a waiter. */
  pollMinMs: 5,
  pollMaxMs: 50,
  /** Expired entries stay readable this long, to be served as STALE when their loader fails. */
  graceSeconds: 3_600,
  /** TTL of a cached `null` (negative caching). */
  nullTtlSeconds: 60,
  /** A fill whose lease is older than this is dropped (key stamps outlive it). */
  leaseMaxAgeMs: 5 * 60_000,
  keyStampTtlMs: 10 * 60_000,
  /** Each entry lives up to this fraction longer than its TTL, so that entries filled together expire apart. */
  jitter: 0.1,
} as const;

/** Metadata key under which the decorators record their operations on a method. */
export const CACHE_OPERATIONS = Symbol('cache:operations');
