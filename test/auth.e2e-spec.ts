import request from 'supertest';
import { createApp } from '../src/app.setup';
import { AppInstance, startInstance } from './support/app-instance';
import { isolatedEnv } from './support/test-env';

const SECRET = 'a-test-session-secret-of-at-least-32-chars';
const PASSWORD = 'correct horse battery';

async function signUpAndLogIn(url: string): Promise<{ id: string; setCookie: string }> {
  const email = `auth-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const user = await request(url)
    .post('/users')
    .send({ email, name: 'Auth', password: PASSWORD })
    .expect(201);
  const login = await request(url)
    .post('/auth/login')
    .send({ email, password: PASSWORD })
    .expect(200);
  const setCookie = (login.headers['set-cookie'] as unknown as string[]).find((c) =>
    c.startsWith('sid='),
  )!;
  return { id: (user.body as { id: string }).id, setCookie };
}

describe('Sign-in in production (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({ NODE_ENV: 'production', SESSION_SECRET: SECRET }),
    );
  });

  afterAll(() => instance.close());

  it('sets the sid cookie Secure, HttpOnly, SameSite=Lax and Path=/', async () => {
    const { setCookie } = await signUpAndLogIn(instance.url);
    const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']),
    );
  });

  it('clears the sid cookie on sign-out with the same attributes, Secure included', async () => {
    const { setCookie } = await signUpAndLogIn(instance.url);
    const logout = await request(instance.url)
      .post('/auth/logout')
      .set('Cookie', setCookie.split(';')[0])
      .expect(204);
    const cleared = (logout.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('sid=;'),
    )!;
    const attributes = cleared.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']),
    );
    expect(attributes.some((part) => part.startsWith('expires='))).toBe(true);
  });

  it('refuses to start without SESSION_SECRET', async () => {
    const env = await isolatedEnv({ NODE_ENV: 'production' });
    await expect(createApp(env)).rejects.toThrow(/SESSION_SECRET/);
  });
});

describe('Sessions and rate limits in the embedded mode, in-process (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({ REDIS_URL: '', SESSION_TTL_S: '2', LOGIN_THROTTLE_LIMIT: '4' }),
    );
  });

  afterAll(() => instance.close());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('signs in, answers me, signs out', async () => {
    const { id, setCookie } = await signUpAndLogIn(instance.url);
    const cookie = setCookie.split(';')[0];
    const me = await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body.id).toBe(id);
    await request(instance.url).post('/auth/logout').set('Cookie', cookie).expect(204);
    await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(401);
  });

  it('expires a session left idle longer than SESSION_TTL_S, and keeps one in use', async () => {
    const idle = (await signUpAndLogIn(instance.url)).setCookie.split(';')[0];
    const used = (await signUpAndLogIn(instance.url)).setCookie.split(';')[0];
    for (let i = 0; i < 3; i++) {
      await pause(1200);
      await request(instance.url).get('/auth/me').set('Cookie', used).expect(200);
    }
    await request(instance.url).get('/auth/me').set('Cookie', idle).expect(401);
  });

  it("deleting a user ends that user's sessions", async () => {
    const { id, setCookie } = await signUpAndLogIn(instance.url);
    const cookie = setCookie.split(';')[0];
    const email = (await request(instance.url).get('/auth/me').set('Cookie', cookie)).body.email;
    const second = await request(instance.url)
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    const other = (second.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    // Used again right before the delete: a sign-in can take longer than SESSION_TTL_S here.
    await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(200);
    await request(instance.url).delete(`/users/${id}`).set('Cookie', cookie).expect(204);
    await request(instance.url).get('/auth/me').set('Cookie', other).expect(401);
  });

  it('limits sign-in attempts in-process', async () => {
    const email = `nobody-${Date.now()}@example.com`;
    for (let i = 0; i < 4; i++) {
      await request(instance.url)
        .post('/auth/login')
        .send({ email, password: PASSWORD })
        .expect(401);
    }
    const limited = await request(instance.url)
      .post('/auth/login')
      .send({ email, password: PASSWORD })
      .expect(429);
    expect(limited.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  });
});
