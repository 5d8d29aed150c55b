import { Injectable, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cluster, Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import {
  LockBusyError,
  LockLostError,
  LockService,
  LockShutdownError,
  LockUnavailableError,
  WithLock,
} from '../src/lock';
import { gate, LockHostModule, settlingInOrder } from './support/lock-host';
import { RedisCluster, RedisServer } from './support/redis-server';

@Injectable()
class Worker {
  constructor(private readonly locks: LockService) {}

  /** Holds the lock `job` until `until` settles; answers the fencing token it ran under. */
  @WithLock('job')
  async hold(until: Promise<unknown>): Promise<number> {
    await until;
    return this.locks.current()!.token;
  }
}

async function acquisitions(context: INestApplicationContext): Promise<Record<string, number>> {
  const metric = await context.get(Registry).getSingleMetric('lock_acquisitions_total')!.get();
  return Object.fromEntries(
    metric.values.map(({ labels, value }) => [`${labels.lock}:${labels.result}`, value]),
  );
}

describe.each([
  ['a standalone Redis', false],
  ['a 3-master Redis Cluster', true],
])('LockService on %s (e2e)', (_name, useCluster) => {
  let cluster: RedisCluster | undefined;
  let redis: Redis | Cluster;
  let env: Record<string, string>;
  let contexts: INestApplicationContext[];
  let locks: LockService[];

  beforeAll(async () => {
    const prefix = `lock${randomBytes(4).toString('hex')}`;
    env = { NODE_ENV: 'test', REDIS_KEY_PREFIX: prefix, LOCK_TTL_MS: '30000' };
    if (useCluster) {
      cluster = await RedisCluster.start();
      env.REDIS_CLUSTER_NODES = cluster.nodes;
      redis = new Cluster(cluster.nodes.split(','));
    } else {
      env.REDIS_URL = process.env.TEST_REDIS_URL!;
      redis = new Redis(env.REDIS_URL);
    }
    contexts = await Promise.all(
      [1, 2, 3].map(() =>
        NestFactory.createApplicationContext(LockHostModule.forRoot(env, [Worker]), {
          logger: false,
        }),
      ),
    );
    locks = contexts.map((context) => context.get(LockService));
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    redis.disconnect();
    await cluster?.destroy();
  });

  it('issues fencing tokens that strictly increase from one acquisition to the next, across instances', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 9; i++) {
      tokens.push(
        await locks[i % 3].using('tokens', 1000, (_signal, token) => Promise.resolve(token)),
      );
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
  });

  it('keeps fencing tokens increasing when Redis loses the counter', async () => {
    const before = await locks[0].using('reset', 1000, (_signal, token) => Promise.resolve(token));
    await redis.del(`${env.REDIS_KEY_PREFIX}:{lock:reset}:fence`);
    await sleep(2); // the clock that seeds a lost counter has moved on
    const after = await locks[1].using('reset', 1000, (_signal, token) => Promise.resolve(token));
    expect(after).toBeGreaterThan(before);
  });

  it('admits exactly one of 30 concurrent acquisitions over 3 instances; the others are busy and say since when', async () => {
    const release = gate();
    let holder: { acquiredAt: Date } | undefined;
    const attempts = Array.from({ length: 30 }, (_, i) =>
      locks[i % 3].using('contended', 5000, async (_signal, _token, held) => {
        holder = held;
        await release.opened;
      }),
    );
    const { settled, all } = settlingInOrder(attempts);
    // Every attempt but the holder's fails without waiting for the holder to finish.
    while (settled.length < 29) await sleep(10);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    for (const s of settled as PromiseRejectedResult[]) {
      expect(s.reason).toBeInstanceOf(LockBusyError);
      expect((s.reason as LockBusyError).heldSince).toEqual(holder!.acquiredAt);
    }
    release.open();
    await all;
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const counts = await Promise.all(contexts.map(acquisitions));
    const sum = (key: string) => counts.reduce((total, c) => total + (c[key] ?? 0), 0);
    expect(sum('contended:acquired')).toBe(1);
    expect(sum('contended:busy')).toBe(29);
  });

  it('releases the lock when the work completes and when it fails', async () => {
    await locks[0].using('released', 30000, () => Promise.resolve());
    await expect(
      locks[1].using('released', 30000, () => Promise.reject(new Error('work failed'))),
    ).rejects.toThrow('work failed');
    await expect(locks[2].using('released', 30000, () => Promise.resolve('free'))).resolves.toBe(
      'free',
    );
  });

  it('wires @WithLock per instance to that instance’s LockService', async () => {
    const release = gate();
    const [first, second] = contexts.map((context) => context.get(Worker));
    const holding = first.hold(release.opened);
    await expect(second.hold(Promise.resolve())).rejects.toBeInstanceOf(LockBusyError);
    release.open();
    const token = await holding;
    expect(await second.hold(Promise.resolve())).toBeGreaterThan(token);
    expect(await acquisitions(contexts[0])).toMatchObject({ 'job:acquired': 1 });
    expect(await acquisitions(contexts[1])).toMatchObject({ 'job:busy': 1, 'job:acquired': 1 });
  });

  it('keeps extending a lock held longer than its TTL, so no one else gets it meanwhile', async () => {
    // Extended when a third of the TTL is left: the TTL is long enough that a busy test machine's
    // event-loop stalls stay well under that margin.
    const ttlMs = 1500;
    let refused = 0;
    await locks[0].using('extended', ttlMs, async (signal) => {
      const until = Date.now() + ttlMs * 3;
      while (Date.now() < until) {
        await expect(locks[1].using('extended', ttlMs, () => Promise.resolve())).rejects.toThrow(
          LockBusyError,
        );
        refused++;
        await sleep(ttlMs / 3);
      }
      expect(signal.aborted).toBe(false);
    });
    expect(refused).toBeGreaterThan(0);
  });

  it('aborts the holder’s signal with LockLostError when its lock is taken away', async () => {
    const key = `${env.REDIS_KEY_PREFIX}:{lock:lost}`;
    const reason = await locks[0].using('lost', 300, async (signal) => {
      await redis.del(key);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return signal.reason as Error;
    });
    expect(reason).toBeInstanceOf(LockLostError);
  });

  it('aborts the work and frees the lock at once when an instance shuts down mid-hold', async () => {
    const doomed = await NestFactory.createApplicationContext(
      LockHostModule.forRoot(env, [Worker]),
      {
        logger: false,
      },
    );
    const started = gate();
    const work = doomed.get(LockService).using('shutdown', 30000, async (signal) => {
      started.open();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return signal.reason as Error;
    });
    await started.opened;
    await expect(locks[0].using('shutdown', 30000, () => Promise.resolve())).rejects.toThrow(
      LockBusyError,
    );
    await doomed.close();
    expect(await work).toBeInstanceOf(LockShutdownError);
    await expect(locks[0].using('shutdown', 30000, () => Promise.resolve('free'))).resolves.toBe(
      'free',
    );
  });
});

describe('LockService with Redis stopped (e2e)', () => {
  it('throws LockUnavailableError and runs nothing', async () => {
    const server = await RedisServer.start();
    const context = await NestFactory.createApplicationContext(
      LockHostModule.forRoot({ NODE_ENV: 'test', REDIS_URL: server.url }, [Worker]),
      { logger: false },
    );
    try {
      await server.stop();
      const work = jest.fn(() => Promise.resolve());
      await expect(context.get(LockService).using('down', 1000, work)).rejects.toBeInstanceOf(
        LockUnavailableError,
      );
      expect(work).not.toHaveBeenCalled();
    } finally {
      await context.close();
      await server.destroy();
    }
  });
});
