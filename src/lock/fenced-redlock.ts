import { ExecutionResult, Lock, Redlock, Settings } from '@sesamecare-oss/redlock';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis, Result } from 'ioredis';
import { LockBusyError } from './lock.errors';

/**
 * Takes the lock and issues its fencing token in one atomic step: the token is only ever handed to
 * the holder that just set the lock, so tokens follow the order of acquisitions. A token is the
 * larger of the previous one + 1 and the current time in ms, so that tokens keep increasing even if
 * Redis loses the counter (a restart without persistence, a failover to a lagging replica). On a
 * busy lock it answers when the current holder acquired it. KEYS share the lock key's hash tag.
 */
const ACQUIRE_FENCED_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local token = math.max(tonumber(redis.call('HGET', KEYS[2], 'token') or '0') + 1, now)
  redis.call('HSET', KEYS[2], 'token', string.format('%d', token), 'since', string.format('%d', now))
  return {token, now}
end
return {0, tonumber(redis.call('HGET', KEYS[2], 'since') or '0')}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    lockAcquireFenced(
      lockKey: string,
      fenceKey: string,
      value: string,
      ttlMs: number,
    ): Result<[number, number], Context>;
  }
}

/** A Redlock lock that also carries the fencing token and acquisition time issued with it. */
export class FencedLock extends Lock {
  constructor(
    redlock: Redlock,
    resources: string[],
    value: string,
    expiration: number,
    settings: Partial<Settings> | undefined,
    readonly token: number,
    readonly acquiredAt: Date,
  ) {
    super(redlock, resources, value, [], expiration, settings);
  }
}

/** The key that holds the fencing counter of a lock key; it shares the lock key's hash tag. */
export const fenceKeyOf = (lockKey: string): string => `${lockKey}:fence`;

/**
 * Redlock on one Redis (standalone or Cluster) whose acquisition also issues a fencing token.
 * Extension, release and `using()` (automatic extension, abort signal) are Redlock's own.
 */
export class FencedRedlock extends Redlock {
  constructor(
    private readonly client: Redis | Cluster,
    settings: Settings,
  ) {
    super([client], settings);
    if (typeof client.lockAcquireFenced !== 'function') {
      client.defineCommand('lockAcquireFenced', { numberOfKeys: 2, lua: ACQUIRE_FENCED_SCRIPT });
    }
  }

  override async acquire(
    resources: string[],
    duration: number,
    settings?: Partial<Settings>,
  ): Promise<Lock> {
    const [lockKey] = resources;
    if (resources.length !== 1) throw new Error('A fenced lock covers exactly one resource');
    const value = randomBytes(16).toString('hex');
    const start = Date.now();
    const [token, time] = await this.client.lockAcquireFenced(
      lockKey,
      fenceKeyOf(lockKey),
      value,
      duration,
    );
    if (token === 0) throw new LockBusyError(lockKey, time > 0 ? new Date(time) : undefined);
    // Redlock's own allowance for clock drift and Redis' 1 ms expiry precision.
    const driftFactor = settings?.driftFactor ?? this.settings.driftFactor;
    const drift = Math.round(driftFactor * duration) + 2;
    return new FencedLock(
      this,
      resources,
      value,
      start + duration - drift,
      settings,
      token,
      new Date(time),
    );
  }

  /** A failed release is reported, never thrown: the lock then lapses at its expiry. */
  override async release(lock: Lock, settings?: Partial<Settings>): Promise<ExecutionResult> {
    try {
      return await super.release(lock, settings);
    } catch (error) {
      this.emit('error', error);
      return { attempts: [], start: Date.now() };
    }
  }
}
