import { LRUCache } from 'lru-cache';

/**
 * The clients this instance has seen the shared store block, each until its block ends by this
 * instance's clock. A blocked client's next requests are answered here without asking the store:
 * the store rejects them anyway, so the counts of admitted requests stay exact across instances.
 * A block is entered with the time the store's answer was asked for as its start, so it never ends
 * later here than in the store. Bounded: past `maxEntries` the least recently blocked client is
 * forgotten, and its next request simply asks the store again.
 */
export class BlockedClients {
  private readonly blocks: LRUCache<string, number>;

  constructor(
    maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.blocks = new LRUCache({ max: maxEntries });
  }

  /** The current time, by the clock blocks are measured with. */
  time(): number {
    return this.now();
  }

  /** Records that the store blocked `key` for `blockMs` as of `askedAt` (from `time()`). */
  block(key: string, askedAt: number, blockMs: number): void {
    if (blockMs > 0) this.blocks.set(key, askedAt + blockMs);
  }

  /** Milliseconds until `key`'s block ends, or 0 when it is not blocked here. */
  remainingMs(key: string): number {
    const until = this.blocks.get(key);
    if (until === undefined) return 0;
    const remaining = until - this.now();
    if (remaining > 0) return remaining;
    this.blocks.delete(key);
    return 0;
  }
}
