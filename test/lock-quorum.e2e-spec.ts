import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockBusyError, LockService, LockUnavailableError } from '../src/lock';
import { LockMasters } from '../src/lock/lock-masters';
import { waitFor } from './support/ports';
import { gate, LockHostModule, settlingInOrder } from './support/lock-host';
import { RedisServer } from './support/redis-server';

const tokenOf = (locks: LockService, resource: string): Promise<number> =>
  locks.using(resource, 1000, (_signal, token) => Promise.resolve(token));

function expectIncreasing(tokens: number[]): void {
  for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
}

describe('LockService on a quorum of 3 independent Redis masters (e2e)', () => {
  let masters: RedisServer[] = [];
  let admin: Redis[] = [];
  const stopped = new Set<RedisServer>();
  let prefix: string;
  let env: Record<string, string>;
  let contexts: INestApplicationContext[] = [];
  let locks: LockService[];

  const fenceKey = (resource: string): string => `${prefix}:{lock:${resource}}:fence`;
  const lockKey = (resource: string): string => `${prefix}:{lock:${resource}}`;

  async function stop(...indexes: number[]): Promise<void> {
    for (const i of indexes) {
      await masters[i].stop();
      stopped.add(masters[i]);
    }
  }

  async function restart(...indexes: number[]): Promise<void> {
    for (const i of indexes) {
      await masters[i].start();
      stopped.delete(masters[i]);
    }
    await allReachable();
  }

  /** Waits until every connection to every running master is ready. */
  async function allReachable(): Promise<void> {
    const clients = [...admin, ...contexts.flatMap((c) => c.get(LockMasters).clients)];
    const running = new Set(masters.filter((m) => !stopped.has(m)).map((m) => m.port));
    await waitFor(
      () =>
        Promise.resolve(
          clients.every((c) => !running.has(c.options.port!) || c.status === 'ready'),
        ),
      10_000,
      'every running lock master to be reachable',
    );
  }

  /** Runs `work` on `service` under `resource`, retrying while it is busy. */
  async function takeTurn<T>(
    service: LockService,
    resource: string,
    work: (token: number) => Promise<T>,
  ): Promise<T> {
    for (;;) {
      try {
        return await service.using(resource, 5000, (_signal, token) => work(token));
      } catch (error) {
        if (!(error instanceof LockBusyError)) throw error;
        await sleep(Math.random() * 5);
      }
    }
  }

  /**
   * Runs `count` contenders at once over the instances, each until it got the lock once; answers
   * their tokens in the order their work ran, after checking that no two ever held it together.
   */
  async function contend(resource: string, count: number): Promise<number[]> {
    let holding = 0;
    let mostAtOnce = 0;
    const ran: number[] = [];
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        takeTurn(locks[i % locks.length], resource, async (token) => {
          mostAtOnce = Math.max(mostAtOnce, ++holding);
          ran.push(token);
          await sleep(1);
          holding--;
        }),
      ),
    );
    expect(mostAtOnce).toBe(1);
    return ran;
  }

  beforeAll(async () => {
    masters = await Promise.all([1, 2, 3].map(() => RedisServer.start()));
    admin = masters.map((m) => new Redis(m.port, '127.0.0.1', { maxRetriesPerRequest: 0 }));
    admin.forEach((client) => client.on('error', () => undefined));
    prefix = `quorum${randomBytes(4).toString('hex')}`;
    env = {
      NODE_ENV: 'test',
      REDIS_URL: process.env.TEST_REDIS_URL!,
      REDIS_KEY_PREFIX: prefix,
      LOCK_REDIS_NODES: masters.map((m) => m.url).join(','),
    };
    contexts = await Promise.all(
      [1, 2, 3].map(() =>
        NestFactory.createApplicationContext(LockHostModule.forRoot(env), { logger: false }),
      ),
    );
    locks = contexts.map((context) => context.get(LockService));
  });

  afterEach(() => restart(...[...stopped].map((m) => masters.indexOf(m))));

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    admin.forEach((client) => client.disconnect());
    await Promise.all(masters.map((m) => m.destroy()));
  });

  it('takes the lock on every master and issues strictly increasing tokens to sequential holders', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 30; i++) tokens.push(await tokenOf(locks[i % 3], 'sequential'));
    expectIncreasing(tokens);
    // Asked on the last holder's connections, which carried its write-back before this.
    const last = contexts[29 % 3].get(LockMasters).clients;
    const counters = await Promise.all(last.map((m) => m.hget(fenceKey('sequential'), 'token')));
    // A master that answered after the quorum may have issued more than the token: never less.
    for (const counter of counters) expect(Number(counter)).toBeGreaterThanOrEqual(tokens[29]);
  });

  it('runs 60 contenders over 3 instances one at a time, with tokens increasing in the order they ran', async () => {
    expectIncreasing(await contend('contended', 60));
  });

  it('admits exactly one of 30 concurrent acquisitions over 3 instances; the others are busy', async () => {
    const release = gate();
    const attempts = Array.from({ length: 30 }, (_, i) =>
      locks[i % 3].using('once', 5000, () => release.opened),
    );
    const { settled, all } = settlingInOrder(attempts);
    // Every attempt but the holder's fails without waiting for the holder to finish.
    while (settled.length < 29) await sleep(10);
    for (const s of settled as PromiseRejectedResult[]) {
      expect(s.reason).toBeInstanceOf(LockBusyError);
      expect((s.reason as LockBusyError).heldSince).toBeInstanceOf(Date);
    }
    release.open();
    await all;
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
  });

  it('orders the tokens of holders whose quorums share only one master', async () => {
    // Master 0's counter runs far ahead of the others (a clock ahead, or a long history there).
    const ahead = Date.now() + 1e9;
    await admin[0].hset(fenceKey('partial'), 'token', String(ahead));
    await stop(2);
    const first = await tokenOf(locks[0], 'partial'); // on masters 0 and 1
    expect(first).toBe(ahead + 1);
    await restart(2);
    await stop(0);
    // On masters 1 and 2: master 1 orders it after the first holder, whose token it was raised to
    // before that holder used it, though master 1 itself had issued far less.
    const second = await tokenOf(locks[1], 'partial');
    expect(second).toBeGreaterThan(first);
  });

  it('keeps acquiring, one holder at a time with increasing tokens, with one master stopped', async () => {
    const before = await tokenOf(locks[0], 'one-down');
    await stop(1);
    const tokens = [
      before,
      await tokenOf(locks[1], 'one-down'),
      ...(await contend('one-down', 30)),
    ];
    expectIncreasing(tokens);
  });

  it('fails with LockUnavailableError and runs nothing with two masters stopped', async () => {
    await stop(0, 2);
    const work = jest.fn(() => Promise.resolve());
    await expect(locks[0].using('two-down', 1000, work)).rejects.toBeInstanceOf(
      LockUnavailableError,
    );
    expect(work).not.toHaveBeenCalled();
    // The master still up keeps no lock behind (asked on the connection the release went out on).
    const [, up] = contexts[0].get(LockMasters).clients;
    expect(await up.exists(lockKey('two-down'))).toBe(0);
  });

  it('never lets tokens go backwards when a master loses its data', async () => {
    const ahead = Date.now() + 1e9;
    await Promise.all(admin.map((a) => a.hset(fenceKey('flushed'), 'token', String(ahead))));
    const first = await tokenOf(locks[0], 'flushed');
    await admin[0].flushall();
    const second = await tokenOf(locks[1], 'flushed');
    // And with the quorum down to the master that lost its data and one that did not.
    await stop(2);
    const third = await tokenOf(locks[2], 'flushed');
    expectIncreasing([ahead, first, second, third]);
  });

  it('releases its locks on every master at shutdown before closing its own connections', async () => {
    const doomed = await NestFactory.createApplicationContext(LockHostModule.forRoot(env), {
      logger: false,
    });
    const started = gate();
    const work = doomed.get(LockService).using('shutdown', 30000, async (signal) => {
      started.open();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    });
    await started.opened;
    // The holder starts once a majority granted the lock; the third grant may land a moment later.
    const held = async () =>
      (await Promise.all(admin.map((a) => a.exists(lockKey('shutdown'))))).every(Boolean);
    await waitFor(held, 2000, 'the lock on all three masters').finally(() => doomed.close());
    await work;
    expect(await Promise.all(admin.map((a) => a.exists(lockKey('shutdown'))))).toEqual([0, 0, 0]);
    expect(doomed.get(LockMasters).clients.map((client) => client.status)).toEqual([
      'end',
      'end',
      'end',
    ]);
    await expect(tokenOf(locks[0], 'shutdown')).resolves.toEqual(expect.any(Number));
  });
});
