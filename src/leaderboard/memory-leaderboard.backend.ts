import type { Batch } from './batch';
import type { BucketRef } from './buckets';
import { LeaderboardBackend, Ranked, byRank } from './leaderboard-backend';

interface Bucket {
  expiresAtMs: number;
  scores: Map<string, number>;
}

const bucketId = (board: string, { unit, index }: BucketRef): string =>
  `${board}\n${unit}:${index}`;

/**
 * The buckets in process, for the embedded mode (one instance): the Redis backend's semantics, with
 * expired buckets dropped as they are met.
 */
export class MemoryLeaderboardBackend implements LeaderboardBackend {
  private readonly buckets = new Map<string, Bucket>();
  private readonly writers = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  apply(board: string, writer: string, batch: Batch): Promise<void> {
    const writerId = `${board}\n${writer}`;
    if (batch.seq <= (this.writers.get(writerId) ?? 0)) return Promise.resolve();
    this.writers.set(writerId, batch.seq);
    this.dropExpired();
    for (const { bucket: ref, expiresAtMs, counts } of batch.buckets) {
      const id = bucketId(board, ref);
      const bucket = this.live(id) ?? { expiresAtMs, scores: new Map<string, number>() };
      bucket.expiresAtMs = expiresAtMs;
      for (const [member, count] of counts) {
        bucket.scores.set(member, (bucket.scores.get(member) ?? 0) + count);
      }
      if (expiresAtMs > this.now()) this.buckets.set(id, bucket);
      else this.buckets.delete(id);
    }
    return Promise.resolve();
  }

  top(board: string, buckets: BucketRef[], limit: number): Promise<Ranked[]> {
    const union = new Map<string, number>();
    for (const ref of buckets) {
      for (const [member, score] of this.live(bucketId(board, ref))?.scores ?? []) {
        union.set(member, (union.get(member) ?? 0) + score);
      }
    }
    const ranked = [...union].map(([member, score]) => ({ member, score })).sort(byRank);
    return Promise.resolve(ranked.slice(0, limit));
  }

  remove(board: string, buckets: BucketRef[], member: string): Promise<void> {
    for (const ref of buckets) this.live(bucketId(board, ref))?.scores.delete(member);
    return Promise.resolve();
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [id, bucket] of this.buckets) if (bucket.expiresAtMs <= now) this.buckets.delete(id);
  }

  private live(id: string): Bucket | undefined {
    const bucket = this.buckets.get(id);
    if (bucket && bucket.expiresAtMs <= this.now()) {
      this.buckets.delete(id);
      return undefined;
    }
    return bucket;
  }
}
