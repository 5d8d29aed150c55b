import { Cluster, Redis } from 'ioredis';
import request, { Response } from 'supertest';
import { UsersService } from '../src/users/users.service';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { RedisCluster } from './support/redis-server';
import { isolatedEnv } from './support/test-env';

const PASSWORD = 'correct horse battery';

interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
}

/** The value of `cache_<what>_total{cache="<name>"}` on one instance's /metrics. */
async function counter(url: string, what: string, cache: string): Promise<number> {
  const res = await request(url).get('/metrics').expect(200);
  const line = new RegExp(`^cache_${what}_total\\{cache="${cache}"\\} (\\d+)$`, 'm').exec(res.text);
  return line ? Number(line[1]) : 0;
}

async function loadsEverywhere(instances: AppInstance[], cache: string): Promise<number> {
  const counts = await Promise.all(instances.map((i) => counter(i.url, 'loads', cache)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** The L1 tier's bound (its default max age): the longest another instance may answer a copy. */
const L1_BOUND_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['a standalone Redis, L1 off', false, 0],
  ['a 3-master Redis Cluster, L1 off', true, 0],
  ['a standalone Redis, L1 of 1000 entries', false, 1000],
  ['a 3-master Redis Cluster, L1 of 1000 entries', true, 1000],
])('Caching on %s (e2e)', (_name, useCluster, l1) => {
  let cluster: RedisCluster | undefined;
  let redis: Redis | Cluster;
  let env: Record<string, string>;
  let a: AppInstance;
  let b: AppInstance;
  let cookie: string;
  let seq = 0;

  beforeAll(async () => {
    const overrides: Record<string, string> = {
      THROTTLE_LIMIT: '100000',
      CACHE_L1_MAX_ENTRIES: String(l1),
    };
    if (useCluster) {
      cluster = await RedisCluster.start();
      overrides.REDIS_CLUSTER_NODES = cluster.nodes;
    }
    env = await isolatedEnv(overrides);
    [a, b] = await startInstances(2, env);
    redis = cluster
      ? new Cluster(
          env.REDIS_CLUSTER_NODES.split(',').map((node) => {
            const [host, port] = node.split(':');
            return { host, port: Number(port) };
          }),
        )
      : new Redis(env.REDIS_URL);
    const email = `cache-${Date.now()}@example.com`;
    await request(a.url)
      .post('/users')
      .send({ email, name: 'Cache', password: PASSWORD })
      .expect(201);
    await a.app.get(UsersService).setRole(email, 'admin');
    const login = await request(a.url)
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    const setCookie = login.headers['set-cookie'] as unknown as string[];
    cookie = setCookie.find((c) => c.startsWith('sid='))!.split(';')[0];
  });

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
    redis?.disconnect();
    await cluster?.destroy();
  });

  const category = (): string => `cat-${++seq}-${useCluster ? 'c' : 's'}-${l1}`;
  /**
   * Another instance's read after a write: the first answer must pass `ok` with L1 off; with L1 on,
   * that instance may answer its copy until the invalidation reaches it, never past the L1 bound.
   */
  const seen = async (read: () => Promise<Response>, ok: (res: Response) => boolean) => {
    const deadline = Date.now() + (l1 ? L1_BOUND_MS : 0);
    for (;;) {
      const res = await read();
      if (ok(res) || Date.now() > deadline) return res;
      await sleep(10);
    }
  };
  const create = async (body: Record<string, unknown>, on = a): Promise<Product> => {
    const res = await request(on.url)
      .post('/products')
      .set('Cookie', cookie)
      .send({ name: 'Thing', price: 10, stock: 1, ...body })
      .expect(201);
    return res.body as Product;
  };
  const patch = (id: string, body: Record<string, unknown>, on = a): Promise<Response> =>
    request(on.url).patch(`/products/${id}`).set('Cookie', cookie).send(body).expect(200);
  const get = (path: string, on = a) => request(on.url).get(path);
  const names = (res: Response): string[] =>
    (res.body.items as { name: string }[]).map((p) => p.name);

  it('answers a product MISS from the database, then HIT from the cache', async () => {
    const product = await create({ name: 'Cup', category: category() });
    const first = await get(`/products/${product.id}`).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await get(`/products/${product.id}`).expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect((await get(`/products/${product.id}`, b).expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('caches an unknown product id as a 404 (negative caching) without 5xx', async () => {
    const id = '6f1c9a52-2d54-4a1e-9f31-5b2f3c4d5e6f';
    expect((await get(`/products/${id}`).expect(404)).headers['x-cache']).toBe('MISS');
    expect((await get(`/products/${id}`).expect(404)).headers['x-cache']).toBe('HIT');
  });

  it('sends X-Cache only on cached reads, not because the session guard looked up a cached user', async () => {
    await request(a.url).get('/auth/me').set('Cookie', cookie).expect(200);
    const me = await request(a.url).get('/auth/me').set('Cookie', cookie).expect(200);
    expect(me.headers['x-cache']).toBeUndefined();
    const created = await request(a.url)
      .post('/products')
      .set('Cookie', cookie)
      .send({ name: 'Thing', price: 1, stock: 1, category: category() })
      .expect(201);
    expect(created.headers['x-cache']).toBeUndefined();
    expect((await get('/health').expect(200)).headers['x-cache']).toBeUndefined();
  });

  it('sees a write answered by one instance on the next read of the other (read-your-writes)', async () => {
    const product = await create({ category: category(), price: 5 });
    await get(`/products/${product.id}`, b).expect(200);
    expect((await get(`/products/${product.id}`, b).expect(200)).headers['x-cache']).toBe('HIT');
    await patch(product.id, { price: 7.25 }, a);
    const after = await seen(
      () => get(`/products/${product.id}`, b),
      (res) => res.body.price === 7.25,
    );
    expect(after.body.price).toBe(7.25);
    expect(after.headers['x-cache']).toBe('MISS');
    await request(a.url).delete(`/products/${product.id}`).set('Cookie', cookie).expect(204);
    const gone = await seen(
      () => get(`/products/${product.id}`, b),
      (res) => res.status === 404,
    );
    expect(gone.status).toBe(404);
    expect(gone.headers['x-cache']).toBe('MISS');
  });

  it('caches users as UserDto only and evicts them on update', async () => {
    const email = `u${++seq}-${Date.now()}@example.com`;
    const user = (
      await request(a.url)
        .post('/users')
        .send({ email, name: 'Ada', password: PASSWORD })
        .expect(201)
    ).body as { id: string };
    const login = await request(a.url).post('/auth/login').send({ email, password: PASSWORD });
    const own = (login.headers['set-cookie'] as unknown as string[])
      .find((c) => c.startsWith('sid='))!
      .split(';')[0];
    const read = () => request(b.url).get(`/users/${user.id}`).set('Cookie', own).expect(200);
    await read();
    expect((await read()).headers['x-cache']).toBe('HIT');
    const entry = await redis.hget(`${env.REDIS_KEY_PREFIX}:{user}:${user.id}`, 'v');
    expect(JSON.parse(entry!)).toEqual(
      expect.objectContaining({ id: user.id, email, name: 'Ada' }),
    );
    expect(entry).not.toMatch(/password|argon2|scrypt/i);
    await request(a.url)
      .patch(`/users/${user.id}`)
      .set('Cookie', own)
      .send({ name: 'Grace' })
      .expect(200);
    expect((await seen(read, (res) => res.body.name === 'Grace')).body.name).toBe('Grace');
  });

  it('shows a created product in the cached lists it belongs to, even an empty one (negative caching never hides a create)', async () => {
    const kitchen = category();
    const empty = await get(`/products?category=${kitchen}`).expect(200);
    expect(empty.body.total).toBe(0);
    expect((await get(`/products?category=${kitchen}`, b).expect(200)).headers['x-cache']).toBe(
      'HIT',
    );
    await get('/products?limit=100&sort=-createdAt', b).expect(200);
    await create({ name: 'Kettle', category: kitchen });
    const filtered = await seen(
      () => get(`/products?category=${kitchen}`, b),
      (res) => res.body.total === 1,
    );
    expect(names(filtered)).toEqual(['Kettle']);
    expect(filtered.headers['x-cache']).toBe('MISS');
    const all = await seen(
      () => get('/products?limit=100&sort=-createdAt', b),
      (res) => names(res).includes('Kettle'),
    );
    expect(names(all)).toContain('Kettle');
  });

  it('moves a product between categories in every cached list, filtered and paged', async () => {
    const [from, to, other] = [category(), category(), category()];
    const moving = await create({ name: 'Mover', category: from, price: 30 });
    await create({ name: 'Stayer', category: from, price: 20 });
    await create({ name: 'Elsewhere', category: other });
    const pages = [
      `/products?category=${from}&sort=price&limit=1&page=1`,
      `/products?category=${from}&sort=price&limit=1&page=2`,
      `/products?category=${to}`,
      `/products?category=${from}&minPrice=25`,
      `/products?q=mover`,
      `/products?category=${other}`,
    ];
    for (const path of pages) await get(path, b).expect(200);
    for (const path of pages) expect((await get(path, b)).headers['x-cache']).toBe('HIT');
    await patch(moving.id, { category: to }, a);
    const expected = [['Stayer'], [], ['Mover'], [], ['Mover'], ['Elsewhere']];
    const [page1, page2, target, priced, search, untouched] = await Promise.all(
      pages.map((path, i) =>
        seen(
          () => get(path, b).expect(200),
          (res) => JSON.stringify(names(res)) === JSON.stringify(expected[i]),
        ),
      ),
    );
    expect(names(page1)).toEqual(['Stayer']);
    expect(names(page2)).toEqual([]);
    expect(names(target)).toEqual(['Mover']);
    expect(names(priced)).toEqual([]);
    expect(search.body.items[0].category).toBe(to);
    expect(untouched.headers['x-cache']).toBe('HIT');
  });

  it('reflects a price update and a delete in cached lists', async () => {
    const shop = category();
    const product = await create({ name: 'Lamp', category: shop, price: 40 });
    const list = `/products?category=${shop}&maxPrice=50`;
    const all = `/products?category=${shop}`;
    expect(names(await get(list, b))).toEqual(['Lamp']);
    await get(all, b).expect(200);
    await patch(product.id, { price: 60 }, a);
    expect(
      names(
        await seen(
          () => get(list, b),
          (res) => res.body.total === 0,
        ),
      ),
    ).toEqual([]);
    const repriced = await seen(
      () => get(all, b),
      (res) => res.body.items[0].price === 60,
    );
    expect(repriced.body.items[0].price).toBe(60);
    await request(a.url).delete(`/products/${product.id}`).set('Cookie', cookie).expect(204);
    expect(
      (
        await seen(
          () => get(all, b),
          (res) => res.body.total === 0,
        )
      ).body.total,
    ).toBe(0);
  });

  it('loads a product once for 200 concurrent cold requests spread over 2 instances', async () => {
    const product = await create({ name: 'Hot', category: category() });
    const before = await loadsEverywhere([a, b], 'product');
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_v, i) => get(`/products/${product.id}`, i % 2 ? a : b)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(200).fill(200));
    expect(new Set(answers.map((res) => JSON.stringify(res.body))).size).toBe(1);
    expect((await loadsEverywhere([a, b], 'product')) - before).toBe(1);
  });
});
