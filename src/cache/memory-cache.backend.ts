import type { Cache } from 'cache-manager';
import { CacheBackend, EntryToStore, Invalidation, Lease, ReadResult } from './cache-backend';
import type { CacheKeys } from './cache-keys';
import { CACHE_DEFAULTS } from './cache.constants';

interface StoredEntry {
  v: string;
  c: number;
  t: string[];
  x: number;
}

/**
 * The embedded mode's backend: the same data model as the Redis scripts, kept in an in-process
 * cache-manager store. Each operation runs alone per cache name (a promise chain), standing in for
 * the atomicity of a Lua script.
 */
export class MemoryCacheBackend implements CacheBackend {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly store: Cache) {}

  read(keys: CacheKeys, key: string, lockTtlMs: number, token: string): Promise<ReadResult> {
    return this.exclusive(keys, async () => {
      const now = Date.now();
      const entry = await this.store.get<StoredEntry>(keys.entry(key));
      let stale: string | undefined;
      if (entry && (await this.isCurrent(keys, entry))) {
        if (now < entry.x)
          return { kind: 'hit', value: entry.v, tags: entry.t, ttlMs: entry.x - now };
        stale = entry.v;
      }
      const clock = await this.number(keys.clock);
      const owned = (await this.store.get(keys.lock(key))) === undefined;
      if (owned) await this.store.set(keys.lock(key), token, lockTtlMs);
      const lease: Lease = { clock, issuedAt: now, token: owned ? token : null };
      return { kind: owned ? 'lease' : 'wait', lease, stale };
    });
  }

  fill(keys: CacheKeys, key: string, entry: EntryToStore, lease: Lease): Promise<boolean> {
    return this.exclusive(keys, async () => {
      await this.releaseNow(keys, key, lease);
      const now = Date.now();
      if (now - lease.issuedAt > CACHE_DEFAULTS.leaseMaxAgeMs) return false;
      const stamps = [
        keys.keyStamp(key),
        keys.generation,
        ...entry.tags.map((t) => keys.tagStamp(t)),
      ];
      for (const stamp of stamps) {
        if ((await this.number(stamp)) > lease.clock) return false;
      }
      await this.write(keys.entry(key), entry, lease.clock, now);
      return true;
    });
  }

  release(keys: CacheKeys, key: string, lease: Lease): Promise<void> {
    return this.exclusive(keys, () => this.releaseNow(keys, key, lease));
  }

  put(keys: CacheKeys, key: string, entry: EntryToStore): Promise<void> {
    return this.exclusive(keys, async () => {
      const clock = await this.tick(keys);
      await this.store.set(keys.keyStamp(key), clock, CACHE_DEFAULTS.keyStampTtlMs);
      await this.write(keys.entry(key), entry, clock, Date.now());
    });
  }

  invalidate(keys: CacheKeys, { keys: evicted, tags, all }: Invalidation): Promise<void> {
    return this.exclusive(keys, async () => {
      const clock = await this.tick(keys);
      if (all) await this.store.set(keys.generation, clock);
      for (const key of evicted) {
        await this.store.del(keys.entry(key));
        await this.store.set(keys.keyStamp(key), clock, CACHE_DEFAULTS.keyStampTtlMs);
      }
      for (const tag of tags) await this.store.set(keys.tagStamp(tag), clock);
    });
  }

  available(): boolean {
    return true;
  }

  onContinuityLost(): void {
    // An in-process store has no connection to lose.
  }

  private async isCurrent(keys: CacheKeys, entry: StoredEntry): Promise<boolean> {
    for (const stamp of [keys.generation, ...entry.t.map((t) => keys.tagStamp(t))]) {
      if ((await this.number(stamp)) > entry.c) return false;
    }
    return true;
  }

  private async write(
    name: string,
    entry: EntryToStore,
    clock: number,
    now: number,
  ): Promise<void> {
    const stored: StoredEntry = { v: entry.value, c: clock, t: entry.tags, x: now + entry.ttlMs };
    await this.store.set(name, stored, entry.storeMs);
  }

  private async releaseNow(keys: CacheKeys, key: string, lease: Lease): Promise<void> {
    if (lease.token && (await this.store.get(keys.lock(key))) === lease.token) {
      await this.store.del(keys.lock(key));
    }
  }

  private async tick(keys: CacheKeys): Promise<number> {
    const clock = (await this.number(keys.clock)) + 1;
    await this.store.set(keys.clock, clock);
    return clock;
  }

  private async number(name: string): Promise<number> {
    return (await this.store.get<number>(name)) ?? 0;
  }

  private exclusive<T>(keys: CacheKeys, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(keys.base) ?? Promise.resolve();
    const result = previous.then(operation, operation);
    const tail = result.catch(() => undefined);
    this.queues.set(keys.base, tail);
    void tail.then(() => {
      if (this.queues.get(keys.base) === tail) this.queues.delete(keys.base);
    });
    return result;
  }
}
