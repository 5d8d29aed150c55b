import { Cluster, type Redis } from 'ioredis';
import { CacheBackend, EntryToStore, Invalidation, Lease, ReadResult } from './cache-backend';
import type { CacheKeys } from './cache-keys';
import { CACHE_DEFAULTS } from './cache.constants';
import type { CacheRedisClient } from './cache-module.options';
import { ContinuityWatch } from './continuity-watch';
import { encodeInvalidation } from './local/invalidation-message';
import {
  FILL_SCRIPT,
  INVALIDATE_SCRIPT,
  PUT_SCRIPT,
  READ_SCRIPT,
  RELEASE_SCRIPT,
} from './redis-cache.scripts';

type Reply = string | number | null;

interface CacheCommands {
  cacheRead(...args: (string | number)[]): Promise<Reply[]>;
  cacheFill(...args: (string | number)[]): Promise<number>;
  cacheRelease(...args: (string | number)[]): Promise<number>;
  cachePut(...args: (string | number)[]): Promise<number>;
  cacheInvalidate(...args: (string | number)[]): Promise<number>;
}

const SCRIPTS = {
  cacheRead: { numberOfKeys: 4, lua: READ_SCRIPT },
  cacheFill: { numberOfKeys: 4, lua: FILL_SCRIPT },
  cacheRelease: { numberOfKeys: 1, lua: RELEASE_SCRIPT },
  cachePut: { numberOfKeys: 3, lua: PUT_SCRIPT },
} as const;

/**
 * The cache's atomic operations as Lua scripts (EVALSHA) on the given ioredis client. Invalidations
 * and write-throughs announce themselves on the cache's channel from within their script: `PUBLISH`
 * on a standalone Redis, `SPUBLISH` (to the shard of the cache's hash tag) on a Cluster.
 */
export class RedisCacheBackend implements CacheBackend {
  private readonly commands: CacheCommands;
  private readonly publish: string;
  private readonly continuity: ContinuityWatch;

  constructor(
    private readonly client: CacheRedisClient,
    private readonly origin: string,
  ) {
    this.publish = client instanceof Cluster ? 'SPUBLISH' : 'PUBLISH';
    this.continuity = new ContinuityWatch(client);
    for (const [name, definition] of Object.entries(SCRIPTS)) {
      if (!(name in client))
        (client as Pick<Redis, 'defineCommand'>).defineCommand(name, definition);
    }
    // The invalidation script takes a variable number of keys.
    if (!('cacheInvalidate' in client)) {
      (client as Pick<Redis, 'defineCommand'>).defineCommand('cacheInvalidate', {
        lua: INVALIDATE_SCRIPT,
      });
    }
    this.commands = client as unknown as CacheCommands;
  }

  async read(keys: CacheKeys, key: string, lockTtlMs: number, token: string): Promise<ReadResult> {
    const reply = await this.commands.cacheRead(
      keys.entry(key),
      keys.meta,
      keys.lock(key),
      keys.keyStamp(key),
      token,
      lockTtlMs,
      CACHE_DEFAULTS.keyStampTtlMs,
    );
    this.continuity.answeredBy(keys);
    if (reply[0] === 1) {
      const tags = JSON.parse(String(reply[2])) as string[];
      return { kind: 'hit', value: String(reply[1]), tags, ttlMs: Number(reply[3]) };
    }
    const stale = reply[1] ? String(reply[1]) : undefined;
    const owned = reply[0] === 2;
    const lease: Lease = {
      clock: Number(reply[2]),
      issuedAt: Number(reply[3]),
      token: owned ? token : null,
    };
    return { kind: owned ? 'lease' : 'wait', lease, stale };
  }

  async fill(keys: CacheKeys, key: string, entry: EntryToStore, lease: Lease): Promise<boolean> {
    const stored = await this.commands.cacheFill(
      keys.entry(key),
      keys.meta,
      keys.lock(key),
      keys.keyStamp(key),
      lease.clock,
      lease.issuedAt,
      lease.token ?? '',
      entry.value,
      JSON.stringify(entry.tags),
      entry.ttlMs,
      entry.storeMs,
      CACHE_DEFAULTS.leaseMaxAgeMs,
    );
    return stored === 1;
  }

  async release(keys: CacheKeys, key: string, lease: Lease): Promise<void> {
    if (lease.token) await this.commands.cacheRelease(keys.lock(key), lease.token);
  }

  async put(keys: CacheKeys, key: string, entry: EntryToStore): Promise<void> {
    await this.commands.cachePut(
      keys.entry(key),
      keys.meta,
      keys.keyStamp(key),
      entry.value,
      JSON.stringify(entry.tags),
      entry.ttlMs,
      entry.storeMs,
      CACHE_DEFAULTS.keyStampTtlMs,
      this.publish,
      keys.channel,
      encodeInvalidation(this.origin, { keys: [key], tags: [], all: false }),
    );
  }

  async invalidate(keys: CacheKeys, invalidation: Invalidation): Promise<void> {
    const { keys: evicted, tags, all } = invalidation;
    const declared = [
      keys.meta,
      ...evicted.flatMap((key) => [keys.entry(key), keys.keyStamp(key)]),
    ];
    await this.commands.cacheInvalidate(
      declared.length,
      ...declared,
      evicted.length,
      CACHE_DEFAULTS.keyStampTtlMs,
      all ? '1' : '0',
      this.publish,
      keys.channel,
      encodeInvalidation(this.origin, invalidation),
      ...tags,
    );
  }

  available(): boolean {
    return this.client.status === 'ready';
  }

  onContinuityLost(listener: () => void): void {
    this.continuity.onLost(listener);
  }
}
