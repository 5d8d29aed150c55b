import type { BucketRef } from './buckets';

const BOARD_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertBoardName(board: string): void {
  if (!BOARD_PATTERN.test(board)) {
    throw new Error(`Leaderboard name "${board}" must be 1-64 of [A-Za-z0-9_.-]`);
  }
}

/**
 * The Redis keys of one leaderboard. All share the hash tag `{lb:<board>}`, so one Lua script can
 * read or write every bucket of the board on a Redis Cluster.
 */
export class LeaderboardKeys {
  private readonly base: string;

  constructor(prefix: string, board: string) {
    assertBoardName(board);
    this.base = `${prefix}:{lb:${board}}:`;
  }

  /** A sorted set of member → count, e.g. `app:{lb:views}:minute:29424961`. */
  bucket({ unit, index }: BucketRef): string {
    return `${this.base}${unit}:${index}`;
  }

  /** The highest batch sequence of a writer (an instance) that was applied. */
  writer(id: string): string {
    return `${this.base}writer:${id}`;
  }

  /** Scratch key of the read script: the union of a window's buckets, deleted in the same script. */
  get union(): string {
    return `${this.base}union`;
  }
}
