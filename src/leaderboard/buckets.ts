/** The two bucket sizes: minutes for short windows, hours for long ones. */
export type BucketUnit = 'minute' | 'hour';

export const UNIT_MS: Readonly<Record<BucketUnit, number>> = { minute: 60_000, hour: 3_600_000 };

/** A window: the current bucket of `unit` and the `buckets - 1` before it. */
export interface WindowSpec {
  unit: BucketUnit;
  buckets: number;
}

export interface BucketRef {
  unit: BucketUnit;
  /** Whole units since the epoch. */
  index: number;
}

/**
 * Buckets outlive the last window that needs them by this margin, so that an instance whose clock runs
 * a little behind still finds (and adds to) the buckets the others read.
 */
export const EXPIRY_MARGIN_MS = 60_000;

export function bucketIndex(unit: BucketUnit, timeMs: number): number {
  return Math.floor(timeMs / UNIT_MS[unit]);
}

/** The buckets a window reads at `nowMs`, oldest first. */
export function windowBuckets(window: WindowSpec, nowMs: number): BucketRef[] {
  const current = bucketIndex(window.unit, nowMs);
  return Array.from({ length: window.buckets }, (_, i) => ({
    unit: window.unit,
    index: current - window.buckets + 1 + i,
  }));
}

/**
 * How many buckets of each unit the windows need: the most any window of that unit reads. A unit no
 * window reads is not written at all.
 */
export function retention(windows: Iterable<WindowSpec>): Map<BucketUnit, number> {
  const kept = new Map<BucketUnit, number>();
  for (const { unit, buckets } of windows) kept.set(unit, Math.max(kept.get(unit) ?? 0, buckets));
  return kept;
}

/**
 * When a bucket may go: bucket i of a unit kept for R buckets is read by windows until the current
 * bucket is i + R - 1, that is until the start of bucket i + R.
 */
export function bucketExpiresAtMs(bucket: BucketRef, kept: number): number {
  return (bucket.index + kept) * UNIT_MS[bucket.unit] + EXPIRY_MARGIN_MS;
}

/**
 * Every bucket that may exist at `nowMs` (what a member must be removed from): those not yet expired,
 * and those up to the margin ahead, which an instance whose clock runs fast may have written.
 */
export function liveBuckets(kept: Map<BucketUnit, number>, nowMs: number): BucketRef[] {
  return [...kept].flatMap(([unit, buckets]) => {
    const first = bucketIndex(unit, nowMs - EXPIRY_MARGIN_MS) - buckets + 1;
    const last = bucketIndex(unit, nowMs + EXPIRY_MARGIN_MS);
    return Array.from({ length: last - first + 1 }, (_, i) => ({ unit, index: first + i }));
  });
}
