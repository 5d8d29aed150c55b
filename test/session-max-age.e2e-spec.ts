import { Redis } from 'ioredis';
import request from 'supertest';
import { AppInstance, startInstance } from './support/app-instance';
import { isolatedEnv } from './support/test-env';

const PASSWORD = 'correct horse battery';
const MAX_AGE_S = 2;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['Redis', true],
  ['the embedded in-process store', false],
])('SESSION_MAX_AGE_S on %s (e2e)', (_name, onRedis) => {
  let instance: AppInstance;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = await isolatedEnv({
      ...(onRedis ? {} : { REDIS_URL: '' }),
      SESSION_TTL_S: '3600',
      SESSION_MAX_AGE_S: String(MAX_AGE_S),
    });
    instance = await startInstance(env);
  });

  afterAll(() => instance?.close());

  const signIn = async (): Promise<string> => {
    const email = `max-age-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
    await request(instance.url)
      .post('/users')
      .send({ email, name: 'Busy', password: PASSWORD })
      .expect(201);
    const login = await request(instance.url)
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    return (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
  };

  it('ends a session used all along once its maximum age has passed, long before its idle TTL', async () => {
    const cookie = await signIn();
    const me = () => request(instance.url).get('/auth/me').set('Cookie', cookie);
    expect((await me()).status).toBe(200);
    // Used every 400 ms: the idle TTL (an hour) never runs out, so only the maximum age can end it.
    let uses = 0;
    while ((await me()).status === 200) {
      uses++;
      if (uses > 50) throw new Error('the session outlived its maximum age by far');
      await pause(400);
    }
    expect(uses).toBeGreaterThan(0);
    await me().expect(401);
  });

  if (onRedis) {
    const sessionKey = (cookie: string): string => {
      const value = decodeURIComponent(cookie.slice('sid='.length));
      return `${env.REDIS_KEY_PREFIX}:session:${value.slice(0, value.lastIndexOf('.'))}`;
    };

    it('gives a session stored without an absolute end (signed in before the upgrade) one on its next use', async () => {
      const cookie = await signIn();
      const key = sessionKey(cookie);
      const redis = new Redis(env.REDIS_URL);
      try {
        const { endsAt, ...legacy } = JSON.parse((await redis.get(key))!) as { endsAt: number };
        expect(endsAt).toBeGreaterThan(0);
        await redis.set(key, JSON.stringify(legacy), 'EX', 3600);
        await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(200);
        expect(JSON.parse((await redis.get(key))!)).toHaveProperty('endsAt');
        expect(await redis.ttl(key)).toBeLessThanOrEqual(MAX_AGE_S);
      } finally {
        redis.disconnect();
      }
    });

    it('gives the stored session a Redis TTL that never outlives its maximum age', async () => {
      const cookie = await signIn();
      const key = sessionKey(cookie);
      const redis = new Redis(env.REDIS_URL);
      try {
        expect(await redis.ttl(key)).toBeGreaterThan(0);
        expect(await redis.ttl(key)).toBeLessThanOrEqual(MAX_AGE_S);
        await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(200);
        expect(await redis.ttl(key)).toBeLessThanOrEqual(MAX_AGE_S);
      } finally {
        redis.disconnect();
      }
    });
  }
});
