import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisClient } from '../redis/redis.constants';
import { THROTTLER_INCREMENT_LUA } from './throttler-increment.script';

export class RateLimitStoreUnavailableError extends Error {
  constructor() {
    super('The rate limit store (Redis) is unreachable');
  }
}

const INCREMENT_COMMAND = 'throttlerIncrement';
/** Hits counted by one script call at most; a longer tick is split. */
const MAX_BATCH = 256;

type WithIncrement<T> = T & {
  [INCREMENT_COMMAND](keys: number, ...args: (string | number)[]): Promise<number[]>;
};

/** The storage record, with the block's remaining time in milliseconds rather than whole seconds. */
export interface PreciseThrottlerRecord extends ThrottlerStorageRecord {
  blockMs: number;
}

interface Hit {
  hitKey: string;
  blockKey: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  resolve(record: PreciseThrottlerRecord): void;
  reject(error: unknown): void;
}

/**
 * Exact counts across instances: every hit is counted in Redis by one Lua script
 * ({@link THROTTLER_INCREMENT_LUA}, @nestjs/throttler's storage semantics) before it is admitted.
 *
 * On a standalone Redis the hits asked for during one turn of the event loop, of however many
 * clients, are counted by one script call: a command per request was most of a cached read's rate
 * limit cost, in the service and in Redis. A Cluster keeps one call per hit, whose two keys share
 * the client's hash tag, since one script cannot reach keys of other slots. No ioredis
 * auto-pipelining: with defined Lua commands it can throw outside any promise.
 * Fails at once while the client is disconnected instead of making every request wait for a command
 * timeout.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: WithIncrement<RedisClient>;
  private readonly batched: boolean;
  private pending: Hit[] = [];
  private readonly flush = (): void => this.sendPending();

  /**
   * `keyPrefix` starts every key, before the hash tag of the client and throttler, so that the
   * service's keys all share its prefix (an ACL user may be limited to it).
   */
  constructor(
    redis: RedisClient,
    private readonly keyPrefix = '',
  ) {
    redis.defineCommand(INCREMENT_COMMAND, { lua: THROTTLER_INCREMENT_LUA });
    this.redis = redis as WithIncrement<RedisClient>;
    this.batched = !redis.isCluster;
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<PreciseThrottlerRecord> {
    if (this.redis.status !== 'ready') return Promise.reject(new RateLimitStoreUnavailableError());
    return new Promise((resolve, reject) => {
      const hit: Hit = {
        hitKey: `${this.keyPrefix}{${key}:${throttlerName}}:hits`,
        blockKey: `${this.keyPrefix}{${key}:${throttlerName}}:blocked`,
        ttl,
        limit,
        blockDuration,
        resolve,
        reject,
      };
      if (!this.batched) return this.send([hit]);
      if (this.pending.length === 0) setImmediate(this.flush);
      this.pending.push(hit);
    });
  }

  private sendPending(): void {
    const hits = this.pending;
    this.pending = [];
    for (let start = 0; start < hits.length; start += MAX_BATCH) {
      this.send(hits.slice(start, start + MAX_BATCH));
    }
  }

  private send(hits: Hit[]): void {
    const args: (string | number)[] = [];
    for (const { hitKey, blockKey } of hits) args.push(hitKey, blockKey);
    for (const { ttl, limit, blockDuration } of hits) args.push(ttl, limit, blockDuration);
    this.redis[INCREMENT_COMMAND](hits.length * 2, ...args).then(
      (reply) => hits.forEach((hit, i) => hit.resolve(recordOf(reply, i * 4))),
      (error: unknown) => hits.forEach((hit) => hit.reject(error)),
    );
  }
}

function recordOf(reply: number[], at: number): PreciseThrottlerRecord {
  const [totalHits, ttlMs, blocked, blockTtlMs] = reply.slice(at, at + 4);
  return {
    totalHits,
    timeToExpire: Math.ceil(ttlMs / 1000),
    isBlocked: blocked === 1,
    timeToBlockExpire: Math.ceil(blockTtlMs / 1000),
    blockMs: blocked === 1 ? blockTtlMs : 0,
  };
}
