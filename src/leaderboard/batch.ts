import { BucketRef, BucketUnit, UNIT_MS, bucketExpiresAtMs, bucketIndex } from './buckets';

/** One batch of increments of a board: per bucket, member → count. Applied as a whole, once. */
export interface Batch {
  /** The writer's sequence number: strictly increasing, unchanged when a failed batch is resent. */
  seq: number;
  buckets: BatchBucket[];
}

export interface BatchBucket {
  bucket: BucketRef;
  /** Epoch ms from which no window reads the bucket: it expires then. */
  expiresAtMs: number;
  counts: Map<string, number>;
}

/**
 * Files counts taken per minute into the buckets of every kept unit: a minute's counts go to that
 * minute's bucket and to the bucket of the hour holding it.
 */
export function buildBatch(
  seq: number,
  countsByMinute: Map<number, Map<string, number>>,
  kept: Map<BucketUnit, number>,
): Batch {
  const buckets = new Map<string, BatchBucket>();
  for (const [minute, counts] of countsByMinute) {
    for (const [unit, keptBuckets] of kept) {
      const bucket = { unit, index: bucketIndex(unit, minute * UNIT_MS.minute) };
      const id = `${unit}:${bucket.index}`;
      let entry = buckets.get(id);
      if (!entry) {
        entry = { bucket, expiresAtMs: bucketExpiresAtMs(bucket, keptBuckets), counts: new Map() };
        buckets.set(id, entry);
      }
      for (const [member, count] of counts) {
        entry.counts.set(member, (entry.counts.get(member) ?? 0) + count);
      }
    }
  }
  return { seq, buckets: [...buckets.values()] };
}

/** The batch without buckets that expired already (counts no window can read any more). */
export function unexpired(batch: Batch, nowMs: number): Batch {
  return { seq: batch.seq, buckets: batch.buckets.filter((b) => b.expiresAtMs > nowMs) };
}

/** Distinct (bucket, member) pairs of a batch. */
export function batchSize(batch: Batch): number {
  return batch.buckets.reduce((sum, b) => sum + b.counts.size, 0);
}
