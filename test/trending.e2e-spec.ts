import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { LeaderboardKeys } from '../src/leaderboard';
import { liveBuckets } from '../src/leaderboard/buckets';
import { adminAgent } from './support/admin-agent';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { expectErrorShape } from './support/error-shape';
import { RedisCluster } from './support/redis-server';
import { isolatedEnv } from './support/test-env';
import { flushAll, ranking, trending, trendingBecomes, view } from './support/trending-client';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

describe.each([
  ['a standalone Redis', false],
  ['a 3-master Redis Cluster', true],
])('Trending products on %s (e2e)', (_name, useCluster) => {
  let cluster: RedisCluster | undefined;
  let redis: Redis | Cluster;
  let env: Record<string, string>;
  let instances: AppInstance[];
  let admin: TestAgent;
  /** Every view this file made, per product id: the windows must answer exactly this. */
  const views = new Map<string, number>();

  beforeAll(async () => {
    const overrides: Record<string, string> = {
      THROTTLE_LIMIT: '1000000',
      CACHE_TTL_TRENDING_S: '1',
    };
    if (useCluster) {
      cluster = await RedisCluster.start();
      overrides.REDIS_CLUSTER_NODES = cluster.nodes;
    }
    env = await isolatedEnv(overrides);
    instances = await startInstances(3, env);
    redis = cluster
      ? new Cluster(
          cluster.nodes.split(',').map((node) => {
            const [host, port] = node.split(':');
            return { host, port: Number(port) };
          }),
        )
      : new Redis(env.REDIS_URL);
    admin = (await adminAgent(instances[0])).agent;
  });

  afterAll(async () => {
    await closeAll((instances ?? []).filter(Boolean));
    redis?.disconnect();
    await cluster?.destroy();
  });

  const create = async (name: string): Promise<string> => {
    const res = await admin
      .post('/products')
      .send({ name, category: 'trending', price: 5, stock: 1 })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  /** Views spread round-robin over the instances, recorded in `views`. */
  const spread = async (id: string, count: number): Promise<void> => {
    await Promise.all(
      instances.map((instance, i) => {
        const share = Math.floor(count / instances.length) + (i < count % instances.length ? 1 : 0);
        return view(instance, id, share);
      }),
    );
    views.set(id, (views.get(id) ?? 0) + count);
  };

  it('answers exact counts of views spread over 3 instances, by views then id, in every window', async () => {
    const ids = await Promise.all(['A', 'B', 'C', 'D', 'E'].map(create));
    const counts = [7, 3, 7, 1, 3]; // two ties: order by id decides them
    await Promise.all(ids.map((id, i) => spread(id, counts[i])));
    await request(instances[1].url)
      .get('/products/00000000-0000-4000-8000-000000000000')
      .expect(404); // a 404 is not a view
    await flushAll(instances);

    for (const window of ['1h', '24h', '7d']) {
      await trendingBecomes(instances[2].url, `?window=${window}`, ranking(views));
    }
    await trendingBecomes(instances[0].url, '', ranking(views)); // 24h by default
    const body = (await request(instances[0].url).get('/products/trending?window=1h').expect(200))
      .body as { window: string; items: { product: { id: string; name: string } }[] };
    expect(body.window).toBe('1h');
    expect(body.items[0].product).toMatchObject({ id: ranking(views)[0].id, category: 'trending' });
  });

  it('counts views made later on top, and limit picks the first n (ties cut by id)', async () => {
    const [first] = ranking(views);
    await spread(first.id, 5);
    const late = await create('F');
    await spread(late, 2);
    await flushAll(instances);

    for (const limit of [1, 2, 3, 50]) {
      await trendingBecomes(
        instances[limit % 3].url,
        `?window=1h&limit=${limit}`,
        ranking(views, limit),
      );
    }
  });

  it('reads a window as the union of its buckets: minutes for 1h, hours for 24h and 7d', async () => {
    const [recent, earlierToday, lastWeek] = await Promise.all(
      ['recent', 'earlier today', 'last week'].map(create),
    );
    const keys = new LeaderboardKeys(env.REDIS_KEY_PREFIX, 'product_views');
    const now = Date.now();
    const seed = async (unit: 'minute' | 'hour', agoMs: number, id: string, count: number) => {
      const key = keys.bucket({
        unit,
        index: Math.floor((now - agoMs) / (unit === 'minute' ? MINUTE_MS : HOUR_MS)),
      });
      await redis.zincrby(key, count, id);
      await redis.expire(key, 3600);
    };
    await seed('minute', 5 * MINUTE_MS, recent, 1000); // in 1h only (its hour bucket is not seeded)
    await seed('hour', 3 * HOUR_MS, earlierToday, 2000); // in 24h and 7d
    await seed('hour', 48 * HOUR_MS, lastWeek, 3000); // in 7d only
    await seed('minute', 61 * MINUTE_MS, lastWeek, 99999); // one minute too old for 1h

    const base = ranking(views, 50);
    await trendingBecomes(instances[0].url, '?window=1h&limit=2', [
      { id: recent, views: 1000 },
      base[0],
    ]);
    await trendingBecomes(instances[1].url, '?window=24h&limit=2', [
      { id: earlierToday, views: 2000 },
      base[0],
    ]);
    await trendingBecomes(instances[2].url, '?window=7d&limit=3', [
      { id: lastWeek, views: 3000 },
      { id: earlierToday, views: 2000 },
      base[0],
    ]);
  });

  it("gives every bucket written an expiry, and all of a board's keys one hash tag", async () => {
    const pattern = `${env.REDIS_KEY_PREFIX}:{lb:product_views}:*`;
    const nodes = cluster ? (redis as Cluster).nodes('master') : [redis as Redis];
    const found: string[] = [];
    for (const node of nodes) found.push(...(await node.keys(pattern)));
    expect(found.length).toBeGreaterThan(0);
    for (const key of found) expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it('removes a deleted product from every bucket of the board', async () => {
    const [top] = ranking(views, 1);
    const keys = new LeaderboardKeys(env.REDIS_KEY_PREFIX, 'product_views');
    const kept = new Map([
      ['minute' as const, 60],
      ['hour' as const, 168],
    ]);
    const buckets = liveBuckets(kept, Date.now()).map((bucket) => keys.bucket(bucket));
    const holding = async () => {
      const scores = await Promise.all(buckets.map((key) => redis.zscore(key, top.id)));
      const units = buckets
        .filter((_, i) => scores[i] !== null)
        .map((key) => key.split(':').at(-2));
      return [...new Set(units)].sort();
    };
    expect(await holding()).toEqual(['hour', 'minute']);

    await admin.delete(`/products/${top.id}`).expect(204);
    views.delete(top.id);

    expect(await holding()).toEqual([]);
    for (const window of ['1h', '24h', '7d']) {
      const ids = (await trending(instances[1].url, `?window=${window}&limit=50`)).map((r) => r.id);
      expect(ids).not.toContain(top.id);
    }
  });

  it('answers 400 for a bad window, limit or unknown parameter', async () => {
    const url = instances[0].url;
    for (const query of [
      'window=2h',
      'window=',
      'window=1H',
      'window=1h&window=7d',
      'limit=0',
      'limit=51',
      'limit=1.5',
      'limit=ten',
      'limit=',
      'limit=-1',
      'page=1',
      'sort=name',
    ]) {
      const res = await request(url).get(`/products/trending?${query}`);
      expectErrorShape(res, 400);
    }
  });
});

describe('Trending products with a long-lived answer cache (e2e)', () => {
  let a: AppInstance;
  let b: AppInstance;
  let admin: TestAgent;

  beforeAll(async () => {
    const env = await isolatedEnv({ THROTTLE_LIMIT: '1000000', CACHE_TTL_TRENDING_S: '3600' });
    [a, b] = await startInstances(2, env);
    admin = (await adminAgent(a)).agent;
  });

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
  });

  const create = async (name: string): Promise<string> => {
    const res = await admin
      .post('/products')
      .send({ name, category: 'cached-trending', price: 5, stock: 1 })
      .expect(201);
    return (res.body as { id: string }).id;
  };

  it('drops a deleted product from every window at once, also when another instance flushes views of it later', async () => {
    const [x, y, z, w] = await Promise.all(['X', 'Y', 'Z', 'W'].map(create));
    await view(a, x, 5);
    await view(b, y, 3);
    await view(a, z, 2);
    await view(b, w, 1);
    await flushAll([a, b]);
    for (const window of ['1h', '24h', '7d']) {
      expect(await trending(a.url, `?window=${window}&limit=2`)).toEqual([
        { id: x, views: 5 },
        { id: y, views: 3 },
      ]);
    }
    await view(b, x, 2); // still in b's process when x is deleted

    await admin.delete(`/products/${x}`).expect(204);

    for (const window of ['1h', '24h', '7d']) {
      for (const instance of [a, b]) {
        expect(await trending(instance.url, `?window=${window}&limit=2`)).toEqual([
          { id: y, views: 3 },
          { id: z, views: 2 },
        ]);
      }
    }
    await flushAll([a, b]); // writes x's two late views back into the buckets
    expect(await trending(b.url, '?window=24h&limit=3')).toEqual([
      { id: y, views: 3 },
      { id: z, views: 2 },
      { id: w, views: 1 },
    ]);
    await request(a.url).get(`/products/${x}`).expect(404);
  });

  it('embeds the product as it is after an update, at once', async () => {
    const [top] = await trending(a.url, '?window=7d&limit=1');
    await admin.patch(`/products/${top.id}`).send({ name: 'Renamed' }).expect(200);
    const res = await request(b.url).get('/products/trending?window=7d&limit=1').expect(200);
    expect(res.body).toMatchObject({ items: [{ product: { id: top.id, name: 'Renamed' } }] });
  });

  it('counts only GETs answered 200, and exposes views counted and flushes in /metrics', async () => {
    await request(a.url).get('/products/00000000-0000-4000-8000-000000000000').expect(404);
    await request(a.url).get('/products/not-a-uuid').expect(400);
    const [top] = await trending(a.url, '?window=7d&limit=1');
    await request(a.url).head(`/products/${top.id}`).expect(200); // not a GET
    const text = (await request(a.url).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^leaderboard_views_counted_total\{board="product_views"\} 7$/m);
    expect(text).toMatch(/^leaderboard_flushes_total\{board="product_views"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE leaderboard_flush_failures_total counter$/m);
  });
});
