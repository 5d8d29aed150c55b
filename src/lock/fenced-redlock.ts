import { ExecutionResult, Lock, Redlock, Settings } from '@sesamecare-oss/redlock';
import { ensureCommands } from '@sesamecare-oss/redlock/build/scripts';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis, Result } from 'ioredis';
import { LockBusyError } from './lock.errors';
import type { LockSpans } from './lock-spans';
import { collectVotes } from './votes';

/**
 * Takes the lock on one master and issues that master's fencing token in one atomic step: the
 * token is only ever handed to the holder that just set the lock, so on one master tokens follow
 * the order of acquisitions. A token is the larger of the previous one + 1 and the current time in
 * ms, so that tokens keep increasing even if the master loses the counter (a restart without
 * persistence, a failover to a lagging replica). On a busy lock it answers when the current holder
 * acquired it. KEYS share the lock key's hash tag.
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

/**
 * Raises a master's counter to the holder's token (never lowers it: raising is always safe) and,
 * only while the holder's lock is still set there, records its acquisition time and answers 1.
 */
const CONFIRM_FENCE_SCRIPT = `
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[2], 'token') or '0') then
  redis.call('HSET', KEYS[2], 'token', ARGV[2])
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('HSET', KEYS[2], 'since', ARGV[3])
  return 1
end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    lockAcquireFenced(
      lockKey: string,
      fenceKey: string,
      value: string,
      ttlMs: number,
    ): Result<[number, number], Context>;
    lockConfirmFence(
      lockKey: string,
      fenceKey: string,
      value: string,
      token: string,
      since: string,
    ): Result<number, Context>;
  }
}

type Master = Redis | Cluster;

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
 * Sends `command` to `master` unless the master is known to be down (its connection was lost and
 * ioredis waits to reconnect): that vote is lost at once rather than after the reconnection attempt,
 * so that a contender does not keep other masters locked while it waits for a dead one.
 */
function ask<T>(master: Master, command: (master: Master) => Promise<T>): Promise<T> {
  if (master.status === 'reconnecting' || master.status === 'close' || master.status === 'end') {
    return Promise.reject(new Error(`Lock master unreachable (${master.status})`));
  }
  return command(master);
}

/** No holder has a quorum yet several masters are taken: contenders split the votes. */
class SplitVoteError extends Error {
  constructor(readonly busy: LockBusyError) {
    super('Contenders split the votes of the lock masters');
  }
}

/**
 * Redlock over one Redis (standalone or Cluster) or a quorum of independent masters, whose
 * acquisition also issues a fencing token. Extension, release and `using()` (automatic extension,
 * abort signal) are Redlock's own, on every master.
 *
 * Tokens over a quorum. Each master keeps its own counter and issues max(counter + 1, now) with the
 * lock (ACQUIRE_FENCED_SCRIPT). The holder's token T is the maximum over the masters it acquired;
 * before handing T out, it raises every master's counter to T and counts a master as confirmed only
 * where its lock is still set (CONFIRM_FENCE_SCRIPT), or where that master issued T itself with the
 * lock. T is used only once a majority has confirmed it. A later holder B acquires on a majority,
 * which shares at least one master m with A's confirmed majority. B's SET NX on m succeeded, so A's
 * key on m was gone by then; A's confirmation on m ran while that key was set, so it came first, and
 * m's counter was already ≥ T_A when m issued B's value: T_B ≥ counter(m) + 1 > T_A. The maximum
 * is what makes this hold: writing back only the value one master issued would not order holders
 * whose quorums share only a master that issued less. A master that loses its data (FLUSHALL, a
 * restart without persistence) voids its confirmation; counters are raised on every master, not
 * just a majority, so with all masters up one such loss is tolerated, and beyond that the floor of
 * each master's clock keeps tokens increasing as on a single Redis.
 */
export class FencedRedlock extends Redlock {
  private readonly masters: Master[];
  readonly quorum: number;

  /**
   * `spans` (with the lock's name for a key) makes a span of each extension and release.
   */
  constructor(
    masters: Master[],
    settings: Settings,
    private readonly spans?: { of: LockSpans; nameOf: (key: string) => string },
  ) {
    super(masters, settings);
    this.masters = [...this.clients];
    this.quorum = Math.floor(this.masters.length / 2) + 1;
    for (const master of this.masters) {
      // Redlock defines its scripts at their first use. With ioredis auto-pipelining, a command
      // defined while the same tick's pipeline is open is missing from it: that call fails and the
      // pipeline's reply handler throws outside any promise, so every script is defined up front.
      ensureCommands(master);
      if (typeof master.lockAcquireFenced !== 'function') {
        master.defineCommand('lockAcquireFenced', { numberOfKeys: 2, lua: ACQUIRE_FENCED_SCRIPT });
        master.defineCommand('lockConfirmFence', { numberOfKeys: 2, lua: CONFIRM_FENCE_SCRIPT });
      }
    }
  }

  /**
   * Acquires on a quorum or throws `LockBusyError`; any other error means the masters could not be
   * reached. Split votes are retried (`retryCount` times, after `retryDelay` ± `retryJitter`),
   * since then no one holds the lock; a lock a quorum reports held fails at once.
   */
  override async acquire(
    resources: string[],
    duration: number,
    settings?: Partial<Settings>,
  ): Promise<Lock> {
    if (resources.length !== 1) throw new Error('A fenced lock covers exactly one resource');
    const { retryCount, retryDelay, retryJitter } = { ...this.settings, ...settings };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.acquireOnce(resources, duration, settings);
      } catch (error) {
        if (!(error instanceof SplitVoteError)) throw error;
        if (attempt >= retryCount) throw error.busy;
        await sleep(retryDelay + Math.round((Math.random() * 2 - 1) * retryJitter));
      }
    }
  }

  private async acquireOnce(
    resources: string[],
    duration: number,
    settings?: Partial<Settings>,
  ): Promise<Lock> {
    const [lockKey] = resources;
    const fenceKey = fenceKeyOf(lockKey);
    const value = randomBytes(16).toString('hex');
    const start = Date.now();
    const quorum = this.quorum;
    const votes = await collectVotes(
      this.masters.map((master) =>
        ask(master, (m) => m.lockAcquireFenced(lockKey, fenceKey, value, duration)),
      ),
      ({ answers, errors, pending }) => {
        const acquired = answers.filter(([token]) => token > 0).length;
        const busy = answers.length - acquired;
        const needed = this.masters.length - quorum;
        return acquired >= quorum || busy >= quorum || errors.length > needed || pending === 0;
      },
    );
    const acquired = votes.answers.filter(([token]) => token > 0);
    const busy = votes.answers.filter(([token]) => token === 0);
    const partial = new Lock(this, resources, value, [], 0, settings);
    if (acquired.length < quorum) {
      // Also undoes a lock that a master still to answer sets after this decision. Not awaited: a
      // master's commands run in order, so this runs before a retry's acquisition there.
      if (acquired.length > 0 || votes.pending > 0) void this.release(partial, { retryCount: 0 });
      if (votes.answers.length < quorum) {
        throw new AggregateError(votes.errors, `Lock masters unreachable: no quorum of ${quorum}`);
      }
      const heldSince = Math.max(...busy.map(([, since]) => since));
      const error = new LockBusyError(lockKey, heldSince > 0 ? new Date(heldSince) : undefined);
      throw busy.length >= quorum ? error : new SplitVoteError(error);
    }

    const token = Math.max(...acquired.map(([t]) => t));
    const acquiredAt = Math.max(...acquired.map(([, time]) => time));
    if (this.masters.length > 1) {
      const confirmations = await collectVotes(
        this.masters.map((master) =>
          ask(master, (m) =>
            m.lockConfirmFence(lockKey, fenceKey, value, String(token), String(acquiredAt)),
          ),
        ),
        ({ answers, pending }) =>
          answers.filter((ok) => ok === 1).length >= quorum || pending === 0,
      );
      if (confirmations.answers.filter((ok) => ok === 1).length < quorum) {
        void this.release(partial, { retryCount: 0 });
        throw new Error(`Lock "${lockKey}" was lost before a quorum confirmed its fencing token`);
      }
    }
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
      new Date(acquiredAt),
    );
  }

  /** Redlock's extension, keeping the fencing token and acquisition time on the extended lock. */
  override extend(existing: Lock, duration: number, settings?: Partial<Settings>): Promise<Lock> {
    const { token, acquiredAt } = existing as Partial<FencedLock>;
    const extend = async (): Promise<Lock> => {
      const lock = await super.extend(existing, duration, settings);
      if (token === undefined || acquiredAt === undefined) return lock;
      const { resources, value, expiration } = lock;
      return new FencedLock(this, resources, value, expiration, settings, token, acquiredAt);
    };
    if (!this.spans) return extend();
    return this.spans.of.around(
      'lock.extend',
      this.spans.nameOf(existing.resources[0]),
      token,
      extend,
    );
  }

  /** A failed release is reported, never thrown: the lock then lapses at its expiry. */
  override release(lock: Lock, settings?: Partial<Settings>): Promise<ExecutionResult> {
    const release = async (): Promise<ExecutionResult> => {
      try {
        return await super.release(lock, settings);
      } catch (error) {
        this.emit('error', error);
        return { attempts: [], start: Date.now() };
      }
    };
    if (!this.spans) return release();
    const { token } = lock as Partial<FencedLock>;
    return this.spans.of.around(
      'lock.release',
      this.spans.nameOf(lock.resources[0]),
      token,
      release,
    );
  }
}
