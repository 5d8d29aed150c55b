import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { CacheModule, CacheService } from '../src/cache';
import { RedisServer } from '../test/support/redis-server';

/**
 * The L1 tier's cross-instance window: how long after one instance invalidates a key another still
 * answers its in-process copy. A writer (this process) and a reader (a child process), each a cache
 * instance with its own ioredis client and subscriber connection, on a real Redis started here. For
 * each of N invalidations the reader holds the key in L1, the writer evicts it, and the reader polls
 * (one L1 lookup per event-loop turn) until its lookup no longer answers from L1. Times are read on
 * the shared system clock (`performance.timeOrigin + performance.now()`). Prints p50/p99/max from the
 * start of the writer's eviction and from the moment it was answered (negative: the reader dropped
 * its copy before the writer heard back from Redis).
 * Usage: npm run bench:l1-window [-- <invalidations>]
 */
const NAME = 'window';

type Command = { warm: string } | { watch: string } | { stop: true };
type Report = { ready: true } | { warmed: string } | { watching: string } | { dropped: number };

const clock = (): number => performance.timeOrigin + performance.now();
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function cacheInstance(url: string) {
  const redis = new Redis(url);
  await redis.ping();
  const registry = new Registry();
  const module = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ redis, registry, keyPrefix: 'bench', l1MaxEntries: 1000 })],
  }).compile();
  await module.init();
  const l1Hits = registry.getSingleMetric('cache_l1_hits_total') as Counter;
  const hits = async () => (await l1Hits.get()).values.reduce((sum, v) => sum + v.value, 0);
  const cache = module.get(CacheService);
  /** True when `key` was answered from the L1 copy. */
  const fromL1 = async (key: string): Promise<boolean> => {
    const before = await hits();
    await cache.getOrLoad(NAME, key, () => Promise.resolve('value'), { ttl: 600 });
    return (await hits()) > before;
  };
  const close = async () => {
    await module.close();
    redis.disconnect();
  };
  return { cache, fromL1, close };
}

/** The reader: warms keys into its L1 and reports when a watched key's copy is gone. */
async function reader(url: string): Promise<void> {
  const send = (report: Report) => process.send?.(report);
  const instance = await cacheInstance(url);
  process.on('message', (command: Command) => {
    void (async () => {
      if ('stop' in command) {
        await instance.close();
        process.exit(0);
      } else if ('warm' in command) {
        while (!(await instance.fromL1(command.warm))) await turn();
        send({ warmed: command.warm });
      } else {
        send({ watching: command.watch });
        for (;;) {
          const at = clock();
          if (!(await instance.fromL1(command.watch))) return send({ dropped: at });
          await turn();
        }
      }
    })();
  });
  send({ ready: true });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const [p50, p99, max] = [percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1)!];
  return `${label}: p50 ${ms(p50)}, p99 ${ms(p99)}, max ${ms(max)}`;
}

async function writer(rounds: number): Promise<void> {
  const server = await RedisServer.start();
  const child = fork(__filename, ['reader', server.url], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  const next = <T extends Report>(match: (report: Report) => report is T): Promise<T> =>
    new Promise((resolve) => {
      const listener = (report: Report) => {
        if (!match(report)) return;
        child.off('message', listener);
        resolve(report);
      };
      child.on('message', listener);
    });
  const ready = next((r): r is { ready: true } => 'ready' in r);
  const instance = await cacheInstance(server.url);
  try {
    await ready;
    const fromStart: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const key = `k${i}`;
      const warmed = next((r): r is { warmed: string } => 'warmed' in r);
      child.send({ warm: key } satisfies Command);
      await warmed;
      const watching = next((r): r is { watching: string } => 'watching' in r);
      const dropped = next((r): r is { dropped: number } => 'dropped' in r);
      child.send({ watch: key } satisfies Command);
      await watching;
      const start = clock();
      await instance.cache.evict(NAME, { keys: [key] });
      const answered = clock();
      const at = (await dropped).dropped;
      fromStart.push(at - start);
      fromAnswer.push(at - answered);
    }
    console.log(`${rounds} invalidations, writer and reader in two processes, Redis on loopback`);
    console.log(summary('from the start of the eviction to the drop', fromStart));
    console.log(summary('from the moment the eviction was answered', fromAnswer));
  } finally {
    child.send({ stop: true } satisfies Command);
    await new Promise((resolve) => child.once('exit', resolve));
    await instance.close();
    await server.destroy();
  }
}

if (process.argv[2] === 'reader') void reader(process.argv[3]);
else void writer(Number(process.argv[2] ?? 1000));
