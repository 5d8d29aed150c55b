import { Redis } from 'ioredis';
import request from 'supertest';
import { adminAgent } from './support/admin-agent';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { RedisServer } from './support/redis-server';
import { SignedIn } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';

/** Every key of a Redis, by SCAN. */
async function keysOf(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

describe('Cache entries on a Redis apart from sessions, limits and locks (e2e)', () => {
  let state: RedisServer;
  let cache: RedisServer;
  let stateClient: Redis;
  let cacheClient: Redis;
  let a: AppInstance;
  let b: AppInstance;
  let admin: SignedIn;

  beforeAll(async () => {
    [state, cache] = await Promise.all([
      RedisServer.start(['--maxmemory-policy', 'noeviction']),
      RedisServer.start(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']),
    ]);
    const env = await isolatedEnv({
      REDIS_URL: state.url,
      CACHE_REDIS_URL: cache.url,
      CACHE_L1_MAX_ENTRIES: '100',
    });
    [a, b] = await startInstances(2, env);
    stateClient = new Redis(state.url);
    cacheClient = new Redis(cache.url);
    admin = await adminAgent(a);
  });

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
    stateClient?.disconnect();
    cacheClient?.disconnect();
    await Promise.all([state?.destroy(), cache?.destroy()]);
  });

  it('keeps cache entries, stamps and locks on the cache Redis and sessions and rate limits on the other', async () => {
    const created = await admin.agent
      .post('/products')
      .send({ name: 'Split', category: 'apart', price: 3, stock: 1 })
      .expect(201);
    const id = (created.body as { id: string }).id;
    await admin.agent.patch(`/products/${id}`).send({ price: 4 }).expect(200);
    for (const instance of [a, b]) {
      await request(instance.url).get(`/products/${id}`).expect(200);
      await request(instance.url).get('/products?category=apart').expect(200);
    }
    await admin.agent.get(`/users/${admin.user.id}`).expect(200);

    const onCache = await keysOf(cacheClient);
    const onState = await keysOf(stateClient);
    expect(onCache).toEqual(expect.arrayContaining([expect.stringContaining(`{product}:${id}`)]));
    expect(onCache).toEqual(expect.arrayContaining([expect.stringContaining('{product_list}:')]));
    expect(onCache).toEqual(expect.arrayContaining([expect.stringContaining('{user}:')]));
    expect(onCache.filter((key) => /session|rate-limit|lock:/.test(key))).toEqual([]);
    expect(onState).toEqual(expect.arrayContaining([expect.stringContaining(':session:')]));
    expect(onState).toEqual(expect.arrayContaining([expect.stringContaining(':rate-limit:')]));
    expect(onState.filter((key) => /\{(product|product_list|user)\}/.test(key))).toEqual([]);
  });

  it('carries invalidations on the cache Redis: the other instance sees a write', async () => {
    const created = await admin.agent
      .post('/products')
      .send({ name: 'Echo', category: 'apart', price: 1, stock: 1 })
      .expect(201);
    const id = (created.body as { id: string }).id;
    await request(b.url).get(`/products/${id}`).expect(200);
    await admin.agent.patch(`/products/${id}`).send({ price: 2 }).expect(200);
    for (;;) {
      // b's copy lives at most the L1 bound; its message comes from the cache Redis.
      const res = await request(b.url).get(`/products/${id}`).expect(200);
      if (res.body.price === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const channels = (await cacheClient.pubsub('CHANNELS')) as string[];
    expect(channels).toEqual(expect.arrayContaining([expect.stringContaining('{product}:!inv')]));
    expect((await stateClient.pubsub('CHANNELS')) as string[]).toEqual([]);
  });
});
