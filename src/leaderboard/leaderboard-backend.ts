import type { Batch } from './batch';
import type { BucketRef } from './buckets';

export interface Ranked {
  member: string;
  score: number;
}

/** Where the buckets live: Redis sorted sets, or in process in the embedded mode. */
export interface LeaderboardBackend {
  /**
   * Applies every increment of the batch and sets each bucket's expiry, all or nothing. A batch whose
   * `seq` is not above the last one applied for `writer` is ignored, so resending a batch whose answer
   * was lost never counts twice.
   */
  apply(board: string, writer: string, batch: Batch): Promise<void>;
  /** The `limit` members with the highest summed score over `buckets`, score desc then member asc. */
  top(board: string, buckets: BucketRef[], limit: number): Promise<Ranked[]>;
  /** Removes `member` from every bucket listed, at once. */
  remove(board: string, buckets: BucketRef[], member: string): Promise<void>;
}

export const LEADERBOARD_BACKEND = Symbol('LEADERBOARD_BACKEND');

/** Score desc, then member asc by bytes, the way Redis orders equal scores. */
export function byRank(a: Ranked, b: Ranked): number {
  return b.score - a.score || Buffer.compare(Buffer.from(a.member), Buffer.from(b.member));
}
