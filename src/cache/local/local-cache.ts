import { LRUCache } from 'lru-cache';
import type { Invalidation } from '../cache-backend';

interface LocalEntry {
  /** The value as JSON: parsed on every hit, so callers never share an object. */
  value: string;
  tags: string[];
  /** The local clock when the read that fetched it began. */
  epoch: number;
}

/** When a Redis read began, as far as this cache's local copies are concerned. */
export interface Ticket {
  epoch: number;
  startedAt: number;
  session: number;
}

interface Stamp {
  epoch: number;
  at: number;
}

/**
 * The in-process copies of one cache (the L1 tier): a bounded LRU in front of Redis, usable only while
 * this instance is subscribed to the cache's invalidations (`open`). It keeps the Redis data model in
 * small: a local clock, and the clock of the last invalidation of each key, tag and of the whole cache.
 * A copy is only stored if nothing it depends on was invalidated since its read began (a reply can
 * arrive after the invalidation message that overtook it), and is served only while none of its tags
 * and not the cache were invalidated since. Every copy dies after `maxAgeMs` whatever happens, and
 * stamps are kept just as long: older reads are never stored.
 */
export class LocalCache {
  private readonly entries: LRUCache<string, LocalEntry>;
  private clock = 0;
  private generation = 0;
  private readonly keyStamps = new Map<string, Stamp>();
  private readonly tagStamps = new Map<string, Stamp>();
  private session = 0;
  private live = false;

  constructor(
    maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.entries = new LRUCache({
      max: maxEntries,
      ttl: maxAgeMs,
      ttlResolution: 0,
      perf: { now },
    });
  }

  /** Subscribed: copies may be stored again, from reads that begin now. */
  open(): void {
    this.live = true;
  }

  /** The subscription dropped or may have lost a message: every copy goes, reads in flight are not kept. */
  close(): void {
    this.live = false;
    this.session++;
    this.entries.clear();
  }

  /** Null while closed: the read goes to Redis and its answer is not kept. */
  begin(): Ticket | null {
    return this.live ? { epoch: this.clock, startedAt: this.now(), session: this.session } : null;
  }

  get(key: string): string | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.generation > entry.epoch || entry.tags.some((tag) => this.overtook(tag, entry))) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps a value read from Redis under `ticket` for at most `ttlMs` (and never past the bound). */
  set(key: string, ticket: Ticket, value: string, tags: string[], ttlMs: number): void {
    if (!this.live || ticket.session !== this.session) return;
    if (this.now() - ticket.startedAt >= this.maxAgeMs) return;
    if (this.generation > ticket.epoch) return;
    if ((this.keyStamps.get(key)?.epoch ?? 0) > ticket.epoch) return;
    if (tags.some((tag) => (this.tagStamps.get(tag)?.epoch ?? 0) > ticket.epoch)) return;
    const ttl = Math.min(ttlMs, this.maxAgeMs);
    if (ttl <= 0) return;
    this.entries.set(key, { value, tags, epoch: ticket.epoch }, { ttl });
  }

  invalidate({ keys, tags, all }: Invalidation): void {
    const stamp = { epoch: ++this.clock, at: this.now() };
    this.prune(stamp.at);
    if (all) {
      this.generation = stamp.epoch;
      this.entries.clear();
    }
    for (const key of keys) {
      this.entries.delete(key);
      restamp(this.keyStamps, key, stamp);
    }
    for (const tag of tags) restamp(this.tagStamps, tag, stamp);
  }

  private overtook(tag: string, entry: LocalEntry): boolean {
    return (this.tagStamps.get(tag)?.epoch ?? 0) > entry.epoch;
  }

  /** Stamps older than the bound guard nothing: every copy and every storable read is younger. */
  private prune(now: number): void {
    for (const stamps of [this.keyStamps, this.tagStamps]) {
      for (const [name, stamp] of stamps) {
        if (now - stamp.at < this.maxAgeMs) break;
        stamps.delete(name);
      }
    }
  }
}

/** Re-inserts, so that each map stays in stamp order and pruning stops at the first young stamp. */
function restamp(stamps: Map<string, Stamp>, name: string, stamp: Stamp): void {
  stamps.delete(name);
  stamps.set(name, stamp);
}
