import request from 'supertest';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { waitFor } from './support/ports';
import { RedisServer } from './support/redis-server';
import { isolatedEnv } from './support/test-env';

const PASSWORD = 'correct horse battery';
/** Far above the ~2 s the service may take during an outage: only a hang exceeds it. */
const HANG_MS = 6000;

describe('Sessions and rate limits while Redis is stopped (e2e)', () => {
  const LIMIT = 5;
  let redis: RedisServer;
  let instances: AppInstance[];
  let cookie: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = await isolatedEnv({
      REDIS_URL: redis.url,
      SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars',
      TRUST_PROXY: 'true',
      THROTTLE_LIMIT: String(LIMIT),
    });
    instances = await startInstances(2, env);
    const email = `outage-${Date.now()}@example.com`;
    await request(instances[0].url)
      .post('/users')
      .set('X-Forwarded-For', '10.1.0.1')
      .send({ email, name: 'Outage', password: PASSWORD })
      .expect(201);
    const login = await request(instances[0].url)
      .post('/auth/login')
      .set('X-Forwarded-For', '10.1.0.1')
      .send({ email, password: PASSWORD })
      .expect(200);
    cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    await redis.stop();
  });

  afterAll(async () => {
    await closeAll(instances);
    await redis.destroy();
  });

  const call = (i: number, method: 'get' | 'post', path: string, from: string) =>
    request(instances[i % 2].url)
      [method](path)
      .set('X-Forwarded-For', from)
      .timeout(HANG_MS);

  it('public reads still answer 200, past the rate limit too (the limit fails open)', async () => {
    for (let i = 0; i < 2 * LIMIT; i++) {
      await call(i, 'get', '/products', '10.1.0.2').expect(200);
      await call(i, 'get', '/products', '10.1.0.2').set('Cookie', cookie).expect(200);
    }
  });

  it('sign-up still succeeds', async () => {
    await call(0, 'post', '/users', '10.1.0.3')
      .send({ email: `signup-${Date.now()}@example.com`, name: 'New', password: PASSWORD })
      .expect(201);
  });

  it('every route that needs a session, and login and logout, answer 503 with a clear message', async () => {
    const cases: [method: 'get' | 'post', path: string, body?: object][] = [
      ['get', '/auth/me'],
      ['post', '/auth/logout'],
      ['post', '/auth/login', { email: 'someone@example.com', password: PASSWORD }],
      ['get', '/users'],
      ['post', '/products', { name: 'Cup', category: 'kitchen', price: 1, stock: 1 }],
    ];
    for (const [i, [method, path, body]] of cases.entries()) {
      const res = await call(i, method, path, '10.1.0.4').set('Cookie', cookie).send(body);
      expect({ path, status: res.status }).toEqual({ path, status: 503 });
      expect(res.body.message).toMatch(/unavailable.*Redis/i);
    }
    const anonymous = await call(0, 'get', '/auth/me', '10.1.0.4').expect(503);
    expect(anonymous.body.message).toMatch(/session store/);
  });

  it('once Redis is back, the session is signed in again on both instances and limits apply again', async () => {
    await redis.start();
    await waitFor(
      async () =>
        (await call(0, 'get', '/auth/me', '10.1.0.5').set('Cookie', cookie)).status === 200,
      10_000,
      'the session to answer again',
    );
    await call(1, 'get', '/auth/me', '10.1.0.5').set('Cookie', cookie).expect(200);
    const client = '10.1.0.6';
    for (let i = 0; i < LIMIT; i++) await call(i, 'get', '/products', client).expect(200);
    await call(0, 'get', '/products', client).expect(429);
  });
});
