import request from 'supertest';
import { ProductsService } from '../src/products/products.service';
import { UsersService } from '../src/users/users.service';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { waitFor } from './support/ports';
import { PostgresServer } from './support/postgres-server';
import { RedisServer } from './support/redis-server';
import { isolatedEnv } from './support/test-env';

const PASSWORD = 'correct horse battery';

/** Signs in as a fresh admin (product writes are admin routes); answers the session cookie. */
async function signIn({ url, app }: AppInstance): Promise<string> {
  const email = `outage-${Date.now()}-${Math.random()}@example.com`;
  await request(url).post('/users').send({ email, name: 'Ops', password: PASSWORD }).expect(201);
  await app.get(UsersService).setRole(email, 'admin');
  const res = await request(url)
    .post('/auth/login')
    .send({ email, password: PASSWORD })
    .expect(200);
  return (res.headers['set-cookie'] as unknown as string[])
    .find((c) => c.startsWith('sid='))!
    .split(';')[0];
}

describe.each([0, 1000])(
  'Cache while Redis is stopped and restarted, L1 max entries %i (e2e)',
  (l1) => {
    let redis: RedisServer;
    let a: AppInstance;
    let b: AppInstance;

    beforeAll(async () => {
      redis = await RedisServer.start();
      const env = await isolatedEnv({
        REDIS_URL: redis.url,
        THROTTLE_LIMIT: '100000',
        CACHE_L1_MAX_ENTRIES: String(l1),
      });
      [a, b] = await startInstances(2, env);
    });

    afterAll(async () => {
      await closeAll([a, b].filter(Boolean));
      await redis.destroy();
    });

    it('answers reads 200 BYPASS, keeps a write whose invalidation failed, and serves no stale entry after Redis is back', async () => {
      const cookie = await signIn(a);
      const created = await request(a.url)
        .post('/products')
        .set('Cookie', cookie)
        .send({ name: 'Radio', category: `outage-${l1}`, price: 10, stock: 1 })
        .expect(201);
      const id = (created.body as { id: string }).id;
      for (const instance of [a, b]) {
        await request(instance.url).get(`/products/${id}`).expect(200);
        await request(instance.url).get(`/products?category=outage-${l1}`).expect(200);
        expect((await request(instance.url).get(`/products/${id}`)).headers['x-cache']).toBe('HIT');
      }

      await redis.stop(); // saves its data: the old entries come back with it
      for (const instance of [a, b]) {
        const read = await request(instance.url).get(`/products/${id}`).expect(200);
        expect(read.headers['x-cache']).toBe('BYPASS');
      }
      // Sessions need Redis, so the write goes through the service, as a handler would call it.
      await a.app.get(ProductsService).update(id, { price: 12.5 });
      for (const instance of [a, b]) {
        const read = await request(instance.url).get(`/products/${id}`).expect(200);
        expect(read.body).toMatchObject({ price: 12.5 });
        expect(read.headers['x-cache']).toBe('BYPASS');
        const list = await request(instance.url).get(`/products?category=outage-${l1}`).expect(200);
        expect(list.body.items[0].price).toBe(12.5);
      }

      await redis.start();
      // b first: its own invalidation queue is empty, only the generation bump protects its readers.
      for (const instance of [b, a]) {
        await waitFor(
          async () => {
            const read = await request(instance.url).get(`/products/${id}`).expect(200);
            expect(read.body).toMatchObject({ price: 12.5 });
            return read.headers['x-cache'] !== 'BYPASS';
          },
          10_000,
          'the cache to be used again',
        );
        for (let i = 0; i < 2; i++) {
          const read = await request(instance.url).get(`/products/${id}`).expect(200);
          expect(read.body).toMatchObject({ price: 12.5 });
          expect(['HIT', 'MISS']).toContain(read.headers['x-cache']);
          const list = await request(instance.url)
            .get(`/products?category=outage-${l1}`)
            .expect(200);
          expect(list.body.items[0].price).toBe(12.5);
        }
      }
      expect((await request(b.url).get(`/products/${id}`)).headers['x-cache']).toBe('HIT');
    });
  },
);

describe.each([0, 1000])('Cache while PostgreSQL is stopped, L1 max entries %i (e2e)', (l1) => {
  let postgres: PostgresServer;
  let a: AppInstance;

  beforeAll(async () => {
    postgres = await PostgresServer.start();
    const database = await postgres.createDatabase(`stale${l1}`);
    const env = await isolatedEnv({
      DATABASE_URL: database,
      CACHE_TTL_PRODUCT_S: '1',
      THROTTLE_LIMIT: '100000',
      CACHE_L1_MAX_ENTRIES: String(l1),
    });
    [a] = await startInstances(1, env);
  });

  afterAll(async () => {
    await a?.close();
    await postgres.destroy();
  });

  it('serves an expired entry as STALE while PostgreSQL is down, answers 503 for what is not cached, and fresh once it is back', async () => {
    const cookie = await signIn(a);
    const created = await request(a.url)
      .post('/products')
      .set('Cookie', cookie)
      .send({ name: 'Clock', category: `stale-${l1}`, price: 3, stock: 9 })
      .expect(201);
    const id = (created.body as { id: string }).id;
    const fresh = await request(a.url).get(`/products/${id}`).expect(200);
    expect(fresh.headers['x-cache']).toBe('MISS');
    await new Promise((resolve) => setTimeout(resolve, 1_300)); // past the 1 s TTL (+10 % jitter)

    await postgres.stop();
    const stale = await request(a.url).get(`/products/${id}`).expect(200);
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.body).toEqual(fresh.body);
    const uncached = await request(a.url).get('/products?category=never-cached');
    expect(uncached.status).toBe(503);
    expect(uncached.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });

    await postgres.start();
    await waitFor(
      async () => (await request(a.url).get(`/products/${id}`)).headers['x-cache'] === 'MISS',
      10_000,
      'a fresh load',
    );
  });
});
