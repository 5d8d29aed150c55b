import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../redis/redis.constants';

export class RateLimitStoreUnavailableError extends Error {
  constructor() {
    super('The rate limit store (Redis) is unreachable');
  }
}

const INCREMENT_COMMAND = 'throttlerIncrement';

type IncrementReply = [totalHits: number, ttlMs: number, blocked: number, blockTtlMs: number];
type IncrementArgs = [hitKey: string, blockKey: string, name: string, ...numbers: number[]];

type WithIncrement<T> = T & {
  [INCREMENT_COMMAND](...args: IncrementArgs): Promise<IncrementReply>;
};

/** The storage record, with the block's remaining time in milliseconds rather than whole seconds. */
export interface PreciseThrottlerRecord extends ThrottlerStorageRecord {
  blockMs: number;
}

interface PendingIncrement {
  args: IncrementArgs;
  resolve(reply: IncrementReply): void;
  reject(error: unknown): void;
}

/**
 * The @nest-lab Redis storage's script (one Lua script per hit, its keys in one hash slot, so counts
 * are exact across instances and work on a cluster), run through ioredis' `defineCommand`: the
 * library sends the whole script with EVAL on every hit; EVALSHA sends it once per connection.
 *
 * On a standalone Redis the hits asked for during one turn of the event loop are pipelined: sent
 * together in one socket write instead of one write each, which is most of a hit's cost under load.
 * Each stays an ordinary command with its own reply (no ioredis `Pipeline`, whose objects cost more
 * memory than they save, and no auto-pipelining, which can throw outside any promise with defined
 * Lua commands). A Cluster gets one write per hit.
 * Fails at once while the client is disconnected instead of making every request wait for a command
 * timeout.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: WithIncrement<RedisClient>;
  private readonly pipelined: WithIncrement<Redis> | null;
  private pending: PendingIncrement[] = [];
  private readonly flush = (): void => this.sendPending();

  constructor(redis: RedisClient) {
    const script = ThrottlerStorageRedisService.prototype.getScriptSrc();
    redis.defineCommand(INCREMENT_COMMAND, { numberOfKeys: 2, lua: script });
    this.redis = redis as WithIncrement<RedisClient>;
    this.pipelined = redis.isCluster ? null : (redis as WithIncrement<Redis>);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<PreciseThrottlerRecord> {
    if (this.redis.status !== 'ready') throw new RateLimitStoreUnavailableError();
    const args: IncrementArgs = [
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    ];
    const [totalHits, ttlMs, blocked, blockTtlMs] = this.pipelined
      ? await this.enqueue(args)
      : await this.redis[INCREMENT_COMMAND](...args);
    return {
      totalHits,
      timeToExpire: Math.ceil(ttlMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockTtlMs / 1000),
      blockMs: blocked === 1 ? blockTtlMs : 0,
    };
  }

  private enqueue(args: IncrementArgs): Promise<IncrementReply> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(this.flush);
      this.pending.push({ args, resolve, reject });
    });
  }

  private sendPending(): void {
    const batch = this.pending;
    this.pending = [];
    const redis = this.pipelined as WithIncrement<Redis>;
    // ioredis writes each command to the socket as it is sent: corked, the batch is one write.
    const socket = redis.status === 'ready' ? redis.stream : undefined;
    socket?.cork();
    try {
      for (const { args, resolve, reject } of batch) {
        redis[INCREMENT_COMMAND](...args).then(resolve, reject);
      }
    } finally {
      socket?.uncork();
    }
  }
}
