import { Controller, Get, Injectable, Module, Param, ParseIntPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import request from 'supertest';
import { CacheEvict, Cacheable, CacheModule, CacheModuleOptions } from '../src/cache';
import { RedisCluster, RedisServer } from './support/redis-server';

/** The L1 tier's default max age: the longest another instance may answer a copy. */
const L1_BOUND_MS = 5_000;

interface Order {
  id: string;
  customer: string;
  status: string;
}

/** The "database" every scratch app instance reads, and how often it was read. */
const database = { orders: new Map<string, Order>(), loads: 0 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
class Orders {
  @Cacheable({
    name: 'orders',
    key: (id: string) => id,
    ttl: 3600,
    tags: (order: Order | null) => (order ? [`customer:${order.customer}`] : []),
  })
  find(id: string): Promise<Order | null> {
    database.loads++;
    return Promise.resolve(database.orders.get(id) ?? null);
  }

  @CacheEvict({ name: 'orders', key: (_none: void, order: Order) => order.id })
  save(order: Order): Promise<void> {
    database.orders.set(order.id, order);
    return Promise.resolve();
  }

  /** Moves every order of a customer: one tag invalidation. */
  @CacheEvict({ name: 'orders', tags: (_none: void, customer: string) => [`customer:${customer}`] })
  relabel(customer: string, status: string): Promise<void> {
    for (const order of database.orders.values()) {
      if (order.customer === customer) order.status = status;
    }
    return Promise.resolve();
  }

  @Cacheable({ name: 'blobs', key: (size: number) => String(size), ttl: 60 })
  blob(size: number): Promise<string> {
    database.loads++;
    return Promise.resolve('x'.repeat(size));
  }
}

@Controller()
class OrdersController {
  constructor(private readonly orders: Orders) {}

  @Get('orders/:id')
  find(@Param('id') id: string): Promise<Order | null> {
    return this.orders.find(id);
  }

  @Get('blobs/:size')
  async blob(@Param('size', ParseIntPipe) size: number): Promise<{ length: number }> {
    return { length: (await this.orders.blob(size)).length };
  }
}

interface Scratch {
  app: NestFastifyApplication;
  url: string;
  redis: Redis | Cluster;
  registry: Registry;
  orders: Orders;
}

/** A Nest app made of the cache library alone, a decorated provider and an ioredis client. */
async function scratchApp(
  url: string | { host: string; port: number }[],
  options: Omit<CacheModuleOptions, 'redis'>,
): Promise<Scratch> {
  const redis = typeof url === 'string' ? new Redis(url) : new Cluster(url);
  await redis.ping();
  const registry = new Registry();
  @Module({
    imports: [CacheModule.forRoot({ redis, registry, ...options })],
    controllers: [OrdersController],
    providers: [Orders],
  })
  class ScratchModule {}
  const app = await NestFactory.create<NestFastifyApplication>(
    ScratchModule,
    new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl(), redis, registry, orders: app.get(Orders) };
}

async function closeScratch(scratch: Scratch | undefined): Promise<void> {
  if (!scratch) return;
  await scratch.app.close();
  scratch.redis.disconnect();
}

async function l1Hits(scratch: Scratch): Promise<number> {
  const metric = (await scratch.registry.getMetricsAsJSON()).find(
    (m) => m.name === 'cache_l1_hits_total',
  );
  const values = (metric?.values ?? []) as { value: number; labels: { cache?: string } }[];
  return values.find((v) => v.labels.cache === 'orders')?.value ?? 0;
}

describe('The cache library on its own: a scratch Nest app with an ioredis client (e2e)', () => {
  let server: RedisServer;
  let admin: Redis;
  let plain: Scratch;

  beforeAll(async () => {
    server = await RedisServer.start();
    admin = new Redis(server.url);
    plain = await scratchApp(server.url, {
      keyPrefix: 'plain',
      ttlOverrides: { ORDERS: 7 },
      maxEntryBytes: 1024,
    });
  });

  afterAll(async () => {
    await closeScratch(plain);
    admin?.disconnect();
    await server?.destroy();
  });

  it('caches a decorated provider in Redis and answers X-Cache MISS then HIT', async () => {
    database.orders.set('o1', { id: 'o1', customer: 'c1', status: 'new' });
    const first = await request(plain.url).get('/orders/o1').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await request(plain.url).get('/orders/o1').expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual({ id: 'o1', customer: 'c1', status: 'new' });
    expect(JSON.parse((await admin.hget('plain:{orders}:o1', 'v'))!)).toEqual(second.body);
  });

  it('takes the TTL of a cache from the overrides by name (CACHE_TTL_ORDERS_S), not the declared 3600 s', async () => {
    database.orders.set('o2', { id: 'o2', customer: 'c1', status: 'new' });
    await request(plain.url).get('/orders/o2').expect(200);
    const expiry = Number(await admin.hget('plain:{orders}:o2', 'x'));
    const [seconds, micros] = await admin.time();
    const remainingMs = expiry - (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(7 * 1000 * 1.1);
  });

  it('answers a value over maxEntryBytes without caching it, and caches one under it', async () => {
    const loads = database.loads;
    for (let i = 0; i < 2; i++) {
      const big = await request(plain.url).get('/blobs/2000').expect(200);
      expect(big.body).toEqual({ length: 2000 });
      expect(big.headers['x-cache']).toBe('MISS');
    }
    expect(database.loads - loads).toBe(2);
    expect(await admin.exists('plain:{blobs}:2000')).toBe(0);
    expect(await admin.exists('plain:{blobs}:!lock:2000')).toBe(0);
    await request(plain.url).get('/blobs/100').expect(200);
    const small = await request(plain.url).get('/blobs/100').expect(200);
    expect(small.headers['x-cache']).toBe('HIT');
  });

  describe('with the L1 tier on, two instances', () => {
    let a: Scratch;
    let b: Scratch;
    /** Two more whose copies would live a minute: only an invalidation message can end them sooner. */
    let longA: Scratch;
    let longB: Scratch;

    beforeAll(async () => {
      [a, b] = await Promise.all(
        [1, 2].map(() => scratchApp(server.url, { keyPrefix: 'l1', l1MaxEntries: 100 })),
      );
      [longA, longB] = await Promise.all(
        [1, 2].map(() =>
          scratchApp(server.url, { keyPrefix: 'l1', l1MaxEntries: 100, l1MaxAgeMs: 60_000 }),
        ),
      );
    });

    afterAll(async () => {
      await Promise.all([a, b, longA, longB].map(closeScratch));
    });

    /** Reads `id` on `on` until it answers `status` or the L1 bound has passed since `since`. */
    async function statusSeen(on: Scratch, id: string, status: string, since: number) {
      for (;;) {
        const res = await request(on.url).get(`/orders/${id}`).expect(200);
        if (res.body.status === status || Date.now() > since + L1_BOUND_MS) return res;
        await sleep(10);
      }
    }

    /** Until both instances answer an order from their L1 copies. */
    async function warm(id: string, pair = [a, b]): Promise<void> {
      for (const on of pair) {
        for (;;) {
          const before = await l1Hits(on);
          const res = await request(on.url).get(`/orders/${id}`).expect(200);
          if (res.headers['x-cache'] === 'HIT' && (await l1Hits(on)) > before) break;
          await sleep(20); // the subscription may still be confirming
        }
      }
    }

    it('answers repeated reads from the in-process copy as X-Cache HIT, counted as L1 hits', async () => {
      database.orders.set('p1', { id: 'p1', customer: 'c2', status: 'new' });
      await warm('p1');
      const loads = database.loads;
      const hits = await l1Hits(b);
      for (let i = 0; i < 5; i++) {
        const res = await request(b.url).get('/orders/p1').expect(200);
        expect(res.headers['x-cache']).toBe('HIT');
      }
      expect(await l1Hits(b)).toBe(hits + 5);
      expect(database.loads).toBe(loads);
    });

    it('lets the writing instance read its write at once, and the other within the bound', async () => {
      database.orders.set('p2', { id: 'p2', customer: 'c3', status: 'new' });
      await warm('p2');
      await a.orders.save({ id: 'p2', customer: 'c3', status: 'paid' });
      const written = Date.now();
      expect((await request(a.url).get('/orders/p2').expect(200)).body.status).toBe('paid');
      expect((await statusSeen(b, 'p2', 'paid', written)).body.status).toBe('paid');
    });

    it("drops the other instance's copies by the invalidation message, long before their max age", async () => {
      database.orders.set('m1', { id: 'm1', customer: 'c6', status: 'new' });
      database.orders.set('m2', { id: 'm2', customer: 'c7', status: 'new' });
      await warm('m1', [longA, longB]);
      await warm('m2', [longA, longB]);
      await longA.orders.save({ id: 'm1', customer: 'c6', status: 'paid' });
      await longA.orders.relabel('c7', 'paid');
      for (const id of ['m1', 'm2']) {
        for (;;) {
          // A copy left alone would answer 'new' for a minute; the test times out well before.
          const res = await request(longB.url).get(`/orders/${id}`).expect(200);
          if (res.body.status === 'paid') break;
          await sleep(10);
        }
      }
    }, 30_000);

    it('never answers a copy that a tag invalidation on the same instance overtook', async () => {
      database.orders.set('p3', { id: 'p3', customer: 'c4', status: 'new' });
      await warm('p3');
      await b.orders.relabel('c4', 'shipped');
      const read = await request(b.url).get('/orders/p3').expect(200);
      expect(read.body.status).toBe('shipped');
      expect(read.headers['x-cache']).toBe('MISS');
    });

    it('serves no stale copy past the bound when the pub/sub connection is cut and a message is lost, and uses L1 again once resubscribed', async () => {
      database.orders.set('p4', { id: 'p4', customer: 'c5', status: 'new' });
      await warm('p4');
      await admin.client('KILL', 'TYPE', 'PUBSUB');
      await a.orders.save({ id: 'p4', customer: 'c5', status: 'cancelled' }); // likely unheard by b
      const written = Date.now();
      const staleAfterBound: number[] = [];
      while (Date.now() < written + L1_BOUND_MS + 1_000) {
        const started = Date.now();
        const res = await request(b.url).get('/orders/p4').expect(200);
        if (res.body.status !== 'cancelled' && started > written + L1_BOUND_MS) {
          staleAfterBound.push(started - written);
        }
        await sleep(20);
      }
      expect(staleAfterBound).toEqual([]);
      expect((await request(b.url).get('/orders/p4').expect(200)).body.status).toBe('cancelled');
      await warm('p4'); // both instances resubscribed and answer from L1 again
      await a.orders.save({ id: 'p4', customer: 'c5', status: 'refunded' });
      const rewritten = Date.now();
      expect((await statusSeen(b, 'p4', 'refunded', rewritten)).body.status).toBe('refunded');
    });
  });

  describe('with the L1 tier on a Redis Cluster (sharded pub/sub)', () => {
    let cluster: RedisCluster;
    let nodes: { host: string; port: number }[];
    let a: Scratch;
    let b: Scratch;

    /** Until `on` answers `id` from its L1 copy. */
    async function warmOn(on: Scratch, id: string): Promise<void> {
      for (;;) {
        const before = await l1Hits(on);
        await request(on.url).get(`/orders/${id}`).expect(200);
        if ((await l1Hits(on)) > before) return;
        await sleep(20);
      }
    }

    /** Until `on` answers `status` for `id`: copies live a minute, so only a message ends them sooner. */
    async function seenOn(on: Scratch, id: string, status: string): Promise<void> {
      for (;;) {
        const res = await request(on.url).get(`/orders/${id}`).expect(200);
        if (res.body.status === status) return;
        await sleep(10);
      }
    }

    /** Moves `slot` to another master, keys and all, as a resharding does. */
    async function migrate(slot: number): Promise<void> {
      const admin = new Redis(nodes[0].port, nodes[0].host);
      const ranges = (await admin.cluster('SLOTS')) as unknown as [
        number,
        number,
        [string, number, string],
      ][];
      admin.disconnect();
      const owner = ranges.find(([start, end]) => start <= slot && slot <= end)!;
      const target = ranges.find(([, , master]) => master[2] !== owner[2][2])!;
      const [sourceNode, targetNode] = [owner[2], target[2]];
      const source = new Redis(sourceNode[1], sourceNode[0]);
      const destination = new Redis(targetNode[1], targetNode[0]);
      try {
        await destination.cluster('SETSLOT', slot, 'IMPORTING', sourceNode[2]);
        await source.cluster('SETSLOT', slot, 'MIGRATING', targetNode[2]);
        for (;;) {
          const keys = await source.cluster('GETKEYSINSLOT', slot, 100);
          if (!keys.length) break;
          await source.call('MIGRATE', targetNode[0], targetNode[1], '', 0, 5000, 'KEYS', ...keys);
        }
        for (const [, , master] of ranges) {
          const node = new Redis(master[1], master[0]);
          await node.cluster('SETSLOT', slot, 'NODE', targetNode[2]);
          node.disconnect();
        }
      } finally {
        source.disconnect();
        destination.disconnect();
      }
    }

    beforeAll(async () => {
      cluster = await RedisCluster.start();
      nodes = cluster.nodes.split(',').map((node) => {
        const [host, port] = node.split(':');
        return { host, port: Number(port) };
      });
      [a, b] = await Promise.all(
        [1, 2].map(() =>
          scratchApp(nodes, { keyPrefix: 'l1c', l1MaxEntries: 100, l1MaxAgeMs: 60_000 }),
        ),
      );
    }, 60_000);

    afterAll(async () => {
      await Promise.all([a, b].map(closeScratch));
      await cluster?.destroy();
    });

    it("drops the other instance's copies by the message published in the cache's shard", async () => {
      database.orders.set('s1', { id: 's1', customer: 'c8', status: 'new' });
      for (const on of [a, b]) await warmOn(on, 's1');
      await a.orders.save({ id: 's1', customer: 'c8', status: 'paid' });
      expect((await request(a.url).get('/orders/s1').expect(200)).body.status).toBe('paid');
      await seenOn(b, 's1', 'paid');
    }, 30_000);

    it("keeps the copies coherent after the cache's slot moved to another master", async () => {
      database.orders.set('s2', { id: 's2', customer: 'c9', status: 'new' });
      for (const on of [a, b]) await warmOn(on, 's2');
      const admin = new Redis(nodes[0].port, nodes[0].host);
      const slot = Number(await admin.cluster('KEYSLOT', '{orders}'));
      admin.disconnect();
      await migrate(slot);
      for (const on of [a, b]) await warmOn(on, 's2'); // subscribed again, on the new owner
      await a.orders.save({ id: 's2', customer: 'c9', status: 'paid' });
      await seenOn(b, 's2', 'paid');
    }, 40_000);
  });
});
