/** Shorter lifetimes leave automatic extension no time to act; they are raised to this. */
export const MIN_LOCK_TTL_MS = 200;

/** The lifetime a lock is taken for: `ttlMs`, raised to {@link MIN_LOCK_TTL_MS}. */
export function effectiveTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`A lock TTL must be a positive integer of milliseconds, got ${ttlMs}`);
  }
  return Math.max(ttlMs, MIN_LOCK_TTL_MS);
}

/**
 * How long before expiry a held lock is extended: a third of its lifetime, so that a slow store
 * round trip still lands before the lock lapses.
 */
export function extensionThreshold(ttlMs: number): number {
  return Math.floor(ttlMs / 3);
}
