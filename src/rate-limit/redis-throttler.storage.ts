import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisClient } from '../redis/redis.constants';

export class RateLimitStoreUnavailableError extends Error {
  constructor() {
    super('The rate limit store (Redis) is unreachable');
  }
}

const INCREMENT_COMMAND = 'throttlerIncrement';

type IncrementReply = [totalHits: number, ttlMs: number, blocked: number, blockTtlMs: number];

type WithIncrement = RedisClient & {
  [INCREMENT_COMMAND](...args: (string | number)[]): Promise<IncrementReply>;
};

/**
 * The @nest-lab Redis storage's script (one Lua script per hit, its keys in one hash slot, so counts
 * are exact across instances and work on a cluster), run through ioredis' `defineCommand`: the
 * library sends the whole script with EVAL on every hit, which costs more than the rest of the
 * request; EVALSHA sends it once per connection. Fails at once while the client is disconnected
 * instead of making every request wait for a command timeout.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: WithIncrement;

  constructor(redis: RedisClient) {
    const script = ThrottlerStorageRedisService.prototype.getScriptSrc();
    redis.defineCommand(INCREMENT_COMMAND, { numberOfKeys: 2, lua: script });
    this.redis = redis as WithIncrement;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.status !== 'ready') throw new RateLimitStoreUnavailableError();
    const [totalHits, ttlMs, blocked, blockTtlMs] = await this.redis[INCREMENT_COMMAND](
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(ttlMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockTtlMs / 1000),
    };
  }
}
