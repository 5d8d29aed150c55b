import { performance } from 'node:perf_hooks';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { CacheModule, CacheService } from '../src/cache';
import { RedisServer } from '../test/support/redis-server';

/**
 * The L1 tier's cross-instance window: how long after one instance invalidates a key another
 * instance still answers its in-process copy. Two cache instances (each with its own ioredis client
 * and subscriber connection) on a real Redis started here; for each of N invalidations, instance B
 * holds the key in L1, A evicts it, and B is polled (one L1 lookup per event-loop turn) until its
 * lookup no longer answers from L1. Prints p50/p99/max from the start of A's eviction and from the
 * moment A's eviction was answered (negative: B dropped its copy before A heard back from Redis).
 * Usage: npm run bench:l1-window [-- <invalidations>]
 */
const rounds = Number(process.argv[2] ?? 1000);
const NAME = 'window';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function describe(label: string, samples: number[]): string {
  const sorted = [...samples].sort((x, y) => x - y);
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  return `${label}: p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted[sorted.length - 1])}`;
}

async function instance(url: string) {
  const redis = new Redis(url);
  await redis.ping();
  const registry = new Registry();
  const module = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ redis, registry, keyPrefix: 'bench', l1MaxEntries: 1000 })],
  }).compile();
  await module.init();
  const l1Hits = registry.getSingleMetric('cache_l1_hits_total') as Counter;
  const hits = async () => (await l1Hits.get()).values.reduce((sum, v) => sum + v.value, 0);
  return { cache: module.get(CacheService), hits, close: () => module.close(), redis };
}

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const [a, b] = await Promise.all([instance(server.url), instance(server.url)]);
  try {
    const load = () => Promise.resolve('value');
    /** True when B answered `key` from its L1 copy. */
    const fromL1 = async (key: string): Promise<boolean> => {
      const before = await b.hits();
      await b.cache.getOrLoad(NAME, key, load, { ttl: 600 });
      return (await b.hits()) > before;
    };
    const fromStart: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const key = `k${i}`;
      while (!(await fromL1(key))) await turn(); // until B's copy is in L1 (its channel subscribed)
      let answered = 0;
      const start = performance.now();
      const evicting = a.cache.evict(NAME, { keys: [key] }).then(() => {
        answered = performance.now();
      });
      let dropped = 0;
      for (;;) {
        const at = performance.now();
        if (!(await fromL1(key))) {
          dropped = at;
          break;
        }
        await turn();
      }
      await evicting;
      fromStart.push(dropped - start);
      fromAnswer.push(dropped - answered);
    }
    console.log(`${rounds} invalidations, one process, two cache instances, Redis on loopback`);
    console.log(describe('publish → drop, from the start of the eviction', fromStart));
    console.log(describe('from the moment the eviction was answered', fromAnswer));
  } finally {
    await Promise.all([a.close(), b.close()]);
    a.redis.disconnect();
    b.redis.disconnect();
    await server.destroy();
  }
}

void main();
