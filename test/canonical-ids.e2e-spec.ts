import { Redis } from 'ioredis';
import request from 'supertest';
import { adminAgent } from './support/admin-agent';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { SignedIn, signedInAgent } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';

/** An id spelled with its letters in upper case. */
const upper = (id: string): string => id.toUpperCase();
/** An id spelled with every other letter in upper case. */
const mixed = (id: string): string => [...id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');

describe('Ids in any letter case name one resource and one cache entry (e2e)', () => {
  let a: AppInstance;
  let b: AppInstance;
  let admin: SignedIn;
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    const env = await isolatedEnv({ THROTTLE_LIMIT: '100000', LOGIN_THROTTLE_LIMIT: '100000' });
    prefix = env.REDIS_KEY_PREFIX;
    redis = new Redis(env.REDIS_URL);
    [a, b] = await startInstances(2, env);
    admin = await adminAgent(a);
  });

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
    redis?.disconnect();
  });

  const product = async (): Promise<{ id: string }> =>
    (
      await admin.agent
        .post('/products')
        .send({ name: 'Kettle', category: 'ids', price: 30, stock: 3 })
        .expect(201)
    ).body as { id: string };

  /** Expects the cache's entry for `id` under its lower-case spelling, and no key under another. */
  const expectOneSpelling = async (cache: string, id: string): Promise<void> => {
    const keys = await redis.keys(`${prefix}:{${cache}}:*`);
    const naming = keys.filter((key) => key.toLowerCase().includes(id));
    expect(naming).toContain(`${prefix}:{${cache}}:${id}`);
    expect(naming.filter((key) => !key.includes(id))).toEqual([]);
  };

  it('answers a product read by an upper-case id from the entry the lower-case one filled, in lower case', async () => {
    const { id } = await product();
    const first = await request(b.url)
      .get(`/products/${upper(id)}`)
      .expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body.id).toBe(id);
    const second = await request(b.url).get(`/products/${id}`).expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    const third = await request(a.url)
      .get(`/products/${mixed(id)}`)
      .expect(200);
    expect(third.headers['x-cache']).toBe('HIT');
    expect(third.body.id).toBe(id);
    await expectOneSpelling('product', id);
  });

  it('serves no deleted product under another spelling of its id', async () => {
    const { id } = await product();
    await request(b.url)
      .get(`/products/${upper(id)}`)
      .expect(200);
    expect((await request(b.url).get(`/products/${upper(id)}`)).headers['x-cache']).toBe('HIT');
    await admin.agent.delete(`/products/${id}`).expect(204);
    await request(b.url)
      .get(`/products/${upper(id)}`)
      .expect(404);
    await request(b.url)
      .get(`/products/${mixed(id)}`)
      .expect(404);
  });

  it('updates and deletes a product by an upper-case id, and every spelling sees it', async () => {
    const { id } = await product();
    await request(a.url).get(`/products/${id}`).expect(200);
    const patched = await admin.agent
      .patch(`/products/${upper(id)}`)
      .send({ price: 31 })
      .expect(200);
    expect(patched.body.id).toBe(id);
    expect((await request(b.url).get(`/products/${id}`).expect(200)).body.price).toBe(31);
    await admin.agent.delete(`/products/${upper(id)}`).expect(204);
    await request(b.url).get(`/products/${id}`).expect(404);
  });

  it('answers a user read by an upper-case id from the entry the lower-case one filled, and not after a delete', async () => {
    const user: SignedIn = await signedInAgent(a.url, 'Spelled');
    const { id } = user.user;
    const first = await admin.agent.get(`/users/${upper(id)}`).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body.id).toBe(id);
    expect((await admin.agent.get(`/users/${id}`).expect(200)).headers['x-cache']).toBe('HIT');
    expect((await user.agent.get(`/users/${upper(id)}`).expect(200)).body.id).toBe(id);
    await expectOneSpelling('user', id);
    await admin.agent.delete(`/users/${id}`).expect(204);
    await admin.agent.get(`/users/${upper(id)}`).expect(404);
  });

  it('lets a user change and delete itself by an upper-case spelling of its own id', async () => {
    const user: SignedIn = await signedInAgent(a.url, 'Self');
    const { id } = user.user;
    await user.agent
      .patch(`/users/${upper(id)}`)
      .send({ name: 'Still me' })
      .expect(200);
    await user.agent.delete(`/users/${mixed(id)}`).expect(204);
    await admin.agent.get(`/users/${id}`).expect(404);
  });
});
