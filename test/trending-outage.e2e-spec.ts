import request from 'supertest';
import { Leaderboard } from '../src/leaderboard';
import { adminAgent } from './support/admin-agent';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { RedisServer } from './support/redis-server';
import { isolatedEnv } from './support/test-env';
import { flushAll, trendingBecomes, view } from './support/trending-client';

describe('Trending while Redis is stopped and restarted (e2e)', () => {
  let redis: RedisServer;
  let a: AppInstance;
  let b: AppInstance;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = await isolatedEnv({
      REDIS_URL: redis.url,
      THROTTLE_LIMIT: '1000000',
      CACHE_TTL_TRENDING_S: '1',
    });
    [a, b] = await startInstances(2, env);
  });

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
    await redis.destroy();
  });

  it('keeps the views counted while Redis is down and writes them, exactly, once it is back', async () => {
    const admin = (await adminAgent(a)).agent;
    const create = async (name: string) =>
      (
        (
          await admin
            .post('/products')
            .send({ name, category: 'o', price: 1, stock: 1 })
            .expect(201)
        ).body as { id: string }
      ).id;
    const [x, y] = [await create('X'), await create('Y')];
    await view(a, x, 2);
    await view(b, y, 1);
    await flushAll([a, b]);
    await trendingBecomes(a.url, '?window=1h', [
      { id: x, views: 2 },
      { id: y, views: 1 },
    ]);

    await redis.stop();
    await view(a, y, 3); // answered from the database (BYPASS): still views
    await view(b, y, 2);
    await view(b, x, 1);
    const failed = await Promise.all([a, b].map((i) => i.app.get(Leaderboard).flush()));
    expect(failed).toEqual([false, false]);
    const down = await request(a.url).get('/products/trending?window=1h');
    expect(down.status).toBe(503);
    const metrics = (await request(b.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      /^leaderboard_flush_failures_total\{board="product_views"\} [1-9]\d*$/m,
    );

    await redis.start();
    await trendingBecomes(b.url, '?window=1h', [
      { id: y, views: 6 },
      { id: x, views: 3 },
    ]);
    await flushAll([a, b]); // nothing left over to add
    await trendingBecomes(a.url, '?window=7d', [
      { id: y, views: 6 },
      { id: x, views: 3 },
    ]);
  });
});
