import { Cluster, Redis } from 'ioredis';
import request, { Response } from 'supertest';
import { UsersService } from '../src/users/users.service';
import { AppInstance, closeAll, startInstance, startInstances } from './support/app-instance';
import { RedisCluster } from './support/redis-server';
import { isolatedEnv } from './support/test-env';

const SECRET = 'a-test-session-secret-of-at-least-32-chars';
const PASSWORD = 'correct horse battery';

/** The `sid` Set-Cookie header of a response, if any. */
function sidCookie(res: Response): string | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const sid = header?.filter((cookie) => cookie.startsWith('sid=')) ?? [];
  expect(sid.length).toBeLessThanOrEqual(1);
  return sid[0];
}

/** The session id inside a signed `sid` cookie (`<id>.<signature>`). */
function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice('sid='.length).split(';')[0]);
  return value.slice(0, value.lastIndexOf('.'));
}

function cookieHeader(cookie: string): string {
  return cookie.split(';')[0];
}

async function signUp(url: string, email: string): Promise<{ id: string }> {
  const res = await request(url)
    .post('/users')
    .send({ email, name: 'Someone', password: PASSWORD })
    .expect(201);
  return res.body as { id: string };
}

async function login(url: string, email: string, password = PASSWORD): Promise<string> {
  const res = await request(url).post('/auth/login').send({ email, password }).expect(200);
  const cookie = sidCookie(res);
  if (!cookie) throw new Error('login answered no sid cookie');
  return cookieHeader(cookie);
}

describe.each([
  ['a standalone Redis', false],
  ['a 3-master Redis Cluster', true],
])('Sessions on %s (e2e)', (_name, useCluster) => {
  let cluster: RedisCluster | undefined;
  let redis: Redis | Cluster;
  let env: Record<string, string>;
  let a: AppInstance;
  let b: AppInstance;
  let seq = 0;
  const email = (): string => `user${++seq}-${Date.now()}@example.com`;
  const sessionKey = (cookie: string): string =>
    `${env.REDIS_KEY_PREFIX}:session:${sessionIdOf(cookie)}`;

  beforeAll(async () => {
    const overrides: Record<string, string> = {
      SESSION_SECRET: SECRET,
      THROTTLE_LIMIT: '100000',
      LOGIN_THROTTLE_LIMIT: '100000',
    };
    if (useCluster) {
      cluster = await RedisCluster.start();
      overrides.REDIS_CLUSTER_NODES = cluster.nodes;
    }
    env = await isolatedEnv(overrides);
    redis = cluster
      ? new Cluster(
          cluster.nodes.split(',').map((n) => ({ host: '127.0.0.1', port: +n.split(':')[1] })),
        )
      : new Redis(env.REDIS_URL);
    [a, b] = await startInstances(2, env);
  });

  afterAll(async () => {
    await closeAll([a, b]);
    redis.disconnect();
    await cluster?.destroy();
  });

  describe('POST /auth/login', () => {
    it('answers 200 with the user and a sid cookie that is HttpOnly, SameSite=Lax, Path=/ and not Secure outside production', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const res = await request(a.url)
        .post('/auth/login')
        .send({ email: address, password: PASSWORD })
        .expect(200);
      expect(res.body).toEqual({
        id: user.id,
        email: address,
        name: 'Someone',
        role: 'member',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const cookie = sidCookie(res)!;
      const attributes = cookie.split(';').map((part) => part.trim().toLowerCase());
      expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
      expect(attributes).not.toContain('secure');
    });

    it('stores only the user id, its absolute end and cookie metadata in Redis, with the idle TTL', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const cookie = await login(a.url, address);
      const key = sessionKey(cookie);
      const stored = JSON.parse((await redis.get(key))!) as Record<string, unknown>;
      expect(Object.keys(stored).sort()).toEqual(['cookie', 'endsAt', 'userId']);
      expect(stored.userId).toBe(user.id);
      const raw = JSON.stringify(stored);
      expect(raw).not.toContain(address);
      expect(raw).not.toMatch(/argon2|password/i);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1800);
    });

    it('ignores the case of the email', async () => {
      const address = email();
      await signUp(a.url, address);
      await login(a.url, address.toUpperCase());
    });

    it('answers the same 401 for an unknown email and a wrong password, and sets no cookie', async () => {
      const address = email();
      await signUp(a.url, address);
      const wrong = await request(a.url)
        .post('/auth/login')
        .send({ email: address, password: 'not the password' })
        .expect(401);
      const unknown = await request(a.url)
        .post('/auth/login')
        .send({ email: `nobody-${address}`, password: PASSWORD })
        .expect(401);
      expect(wrong.body).toEqual({
        statusCode: 401,
        message: 'Invalid email or password',
        error: 'Unauthorized',
      });
      expect(unknown.body).toEqual(wrong.body);
      expect(sidCookie(wrong)).toBeUndefined();
      expect(sidCookie(unknown)).toBeUndefined();
    });

    it('issues a new session id at every login and destroys the one the request came with', async () => {
      const address = email();
      await signUp(a.url, address);
      const first = await login(a.url, address);
      const res = await request(a.url)
        .post('/auth/login')
        .set('Cookie', first)
        .send({ email: address, password: PASSWORD })
        .expect(200);
      const second = cookieHeader(sidCookie(res)!);
      expect(sessionIdOf(second)).not.toBe(sessionIdOf(first));
      expect(await redis.exists(sessionKey(first))).toBe(0);
      await request(a.url).get('/auth/me').set('Cookie', first).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', second).expect(200);
    });

    it('does not adopt a session id chosen by the client (fixation)', async () => {
      const address = email();
      await signUp(a.url, address);
      const planted = 'sid=attacker-chosen-id.forged';
      const res = await request(a.url)
        .post('/auth/login')
        .set('Cookie', planted)
        .send({ email: address, password: PASSWORD })
        .expect(200);
      expect(sessionIdOf(sidCookie(res)!)).not.toBe('attacker-chosen-id');
    });
  });

  describe('anonymous requests', () => {
    it('get no session cookie and leave nothing in the store', async () => {
      const res = await request(a.url).get('/products').expect(200);
      expect(sidCookie(res)).toBeUndefined();
      const me = await request(a.url).get('/auth/me').expect(401);
      expect(sidCookie(me)).toBeUndefined();
    });

    it('with a forged or unsigned cookie are not signed in', async () => {
      const address = email();
      await signUp(a.url, address);
      const cookie = await login(a.url, address);
      const unsigned = `sid=${sessionIdOf(cookie)}`;
      await request(a.url).get('/auth/me').set('Cookie', unsigned).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', `${cookie}x`).expect(401);
    });
  });

  describe('GET /auth/me and POST /auth/logout', () => {
    it('me answers the signed-in user; logout answers 204, deletes the stored session and clears the cookie', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const cookie = await login(a.url, address);
      const me = await request(a.url).get('/auth/me').set('Cookie', cookie).expect(200);
      expect(me.body).toMatchObject({ id: user.id, email: address });

      const out = await request(a.url).post('/auth/logout').set('Cookie', cookie).expect(204);
      const cleared = sidCookie(out)!;
      expect(cleared).toMatch(/^sid=;/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(await redis.exists(sessionKey(cookie))).toBe(0);
      await request(a.url).get('/auth/me').set('Cookie', cookie).expect(401);
    });

    it('logout answers 204 without a session too', async () => {
      await request(a.url).post('/auth/logout').expect(204);
    });
  });

  describe('across instances', () => {
    it('a session made on one instance is signed in on the other, and logout on it ends it on both', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const cookie = await login(a.url, address);
      const me = await request(b.url).get('/auth/me').set('Cookie', cookie).expect(200);
      expect(me.body.id).toBe(user.id);
      await request(b.url).post('/auth/logout').set('Cookie', cookie).expect(204);
      await request(a.url).get('/auth/me').set('Cookie', cookie).expect(401);
    });

    it("deleting a user on one instance ends all of that user's sessions on every instance, and no one else's", async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const onA = await login(a.url, address);
      const onB = await login(b.url, address);
      const otherAddress = email();
      await signUp(a.url, otherAddress);
      const other = await login(b.url, otherAddress);

      await request(b.url).delete(`/users/${user.id}`).set('Cookie', onB).expect(204);

      expect(await redis.exists(sessionKey(onA))).toBe(0);
      expect(await redis.exists(sessionKey(onB))).toBe(0);
      await request(a.url).get('/auth/me').set('Cookie', onA).expect(401);
      await request(b.url).get('/auth/me').set('Cookie', onB).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', other).expect(200);
    });
  });

  describe('who may call what', () => {
    let me: { id: string; cookie: string };
    let admin: { id: string; cookie: string };
    let other: { id: string };
    let productId: string;
    const missing = '00000000-0000-4000-8000-000000000000';

    const signedInAs = async (role: 'member' | 'admin') => {
      const address = email();
      const user = await signUp(a.url, address);
      if (role === 'admin') await a.app.get(UsersService).setRole(address, 'admin');
      return { id: user.id, cookie: await login(a.url, address) };
    };

    beforeAll(async () => {
      me = await signedInAs('member');
      admin = await signedInAs('admin');
      other = await signUp(a.url, email());
      const product = await request(a.url)
        .post('/products')
        .set('Cookie', admin.cookie)
        .send({ name: 'Lamp', category: 'home', price: 10, stock: 1 })
        .expect(201);
      productId = (product.body as { id: string }).id;
    });

    const signedInRoutes = (): [string, string, object?][] => [
      ['get', '/auth/me'],
      ['get', '/users'],
      ['get', `/users/${other.id}`],
      ['patch', `/users/${me.id}`, { name: 'New' }],
      ['delete', `/users/${me.id}`],
      ['post', '/products', { name: 'Cup', category: 'kitchen', price: 1, stock: 1 }],
      ['patch', `/products/${productId}`, { stock: 2 }],
      ['delete', `/products/${productId}`],
      ['post', '/reports/inventory'],
      ['get', '/reports/inventory/latest'],
      ['get', '/reports/inventory/runs'],
    ];

    /** The admin routes; each answers a member 403 before it looks at the request any further. */
    const adminRoutes = (): [string, string, object?][] => [
      ['get', '/users'],
      ['post', '/products', { name: 'Cup', category: 'kitchen', price: 1, stock: 1 }],
      ['patch', `/products/${productId}`, { name: 'Defaced', price: 0 }],
      ['delete', `/products/${productId}`],
      ['post', '/reports/inventory'],
      ['get', '/reports/inventory/latest'],
      ['get', '/reports/inventory/runs'],
    ];

    it('every route that needs a session answers 401 without one', async () => {
      for (const [method, path, body] of signedInRoutes()) {
        const res = await request(a.url)[method as 'get'](path).send(body);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
      }
    });

    it('open routes answer without a session', async () => {
      await request(a.url).get('/products').expect(200);
      await request(a.url).get(`/products/${productId}`).expect(200);
      await signUp(a.url, email());
    });

    it('a freshly signed-up member gets 403 from every admin route, and the product stays as it was', async () => {
      for (const [method, path, body] of adminRoutes()) {
        const res = await request(b.url)[method as 'get'](path).set('Cookie', me.cookie).send(body);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
        expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      }
      const product = await request(a.url).get(`/products/${productId}`).expect(200);
      expect(product.body).toMatchObject({ name: 'Lamp', price: 10, stock: 1 });
    });

    it('a member reads itself but not another user', async () => {
      const self = await request(a.url).get(`/users/${me.id}`).set('Cookie', me.cookie).expect(200);
      expect(self.body).toMatchObject({ id: me.id, role: 'member' });
      await request(a.url).get(`/users/${other.id}`).set('Cookie', me.cookie).expect(403);
      await request(a.url).get(`/users/${missing}`).set('Cookie', me.cookie).expect(404);
    });

    it('admin routes answer an admin', async () => {
      const list = await request(a.url).get('/users').set('Cookie', admin.cookie).expect(200);
      expect(list.body.items.length).toBeGreaterThan(0);
      await request(a.url).get(`/users/${other.id}`).set('Cookie', admin.cookie).expect(200);
      await request(a.url).get('/reports/inventory/runs').set('Cookie', admin.cookie).expect(200);
      await request(b.url)
        .patch(`/products/${productId}`)
        .set('Cookie', admin.cookie)
        .send({ stock: 3 })
        .expect(200);
    });

    it('PATCH and DELETE of another user answer 403, of a missing user 404, of oneself 200', async () => {
      for (const method of ['patch', 'delete'] as const) {
        await request(a.url)
          [method](`/users/${other.id}`)
          .set('Cookie', me.cookie)
          .send(method === 'patch' ? { name: 'Hijacked' } : undefined)
          .expect(403);
        await request(a.url)
          [method](`/users/${missing}`)
          .set('Cookie', me.cookie)
          .send(method === 'patch' ? { name: 'Ghost' } : undefined)
          .expect(404);
      }
      const updated = await request(a.url)
        .patch(`/users/${me.id}`)
        .set('Cookie', me.cookie)
        .send({ name: 'Me again' })
        .expect(200);
      expect(updated.body.name).toBe('Me again');
    });

    it("an admin may delete another user but not change that user's account", async () => {
      const target = await signedInAs('member');
      await request(a.url)
        .patch(`/users/${target.id}`)
        .set('Cookie', admin.cookie)
        .send({ name: 'Renamed by an admin' })
        .expect(403);
      await request(a.url).delete(`/users/${target.id}`).set('Cookie', admin.cookie).expect(204);
      await request(b.url).get('/auth/me').set('Cookie', target.cookie).expect(401);
    });

    it("a role change holds from that user's next request on every instance, though the user is cached", async () => {
      const user = await signedInAs('member');
      await request(b.url).get('/users').set('Cookie', user.cookie).expect(403);
      await request(b.url).get(`/users/${user.id}`).set('Cookie', user.cookie).expect(200);
      const cached = await request(b.url).get(`/users/${user.id}`).set('Cookie', user.cookie);
      expect(cached.headers['x-cache']).toBe('HIT');
      const address = (cached.body as { email: string }).email;
      await a.app.get(UsersService).setRole(address, 'admin');
      await request(b.url).get('/users').set('Cookie', user.cookie).expect(200);
      await a.app.get(UsersService).setRole(address, 'member');
      await request(b.url).get('/users').set('Cookie', user.cookie).expect(403);
    });

    it('a session that outlived its user (written back by a racing request) answers 401 and is removed', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const cookie = await login(a.url, address);
      const stored = (await redis.get(sessionKey(cookie)))!;
      await request(a.url).delete(`/users/${user.id}`).set('Cookie', cookie).expect(204);
      await redis.set(sessionKey(cookie), stored, 'EX', 60);
      await request(b.url).get('/auth/me').set('Cookie', cookie).expect(401);
      expect(await redis.exists(sessionKey(cookie))).toBe(0);
    });
  });

  describe('PATCH /users/:id with a new password', () => {
    it("ends the user's sessions on every instance but the caller's, which moves to a new id", async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const sessionA = await login(a.url, address);
      const sessionB = await login(b.url, address);
      const sessionC = await login(b.url, address);
      const someoneElse = email();
      await signUp(a.url, someoneElse);
      const bystander = await login(b.url, someoneElse);
      await request(b.url).get('/auth/me').set('Cookie', sessionB).expect(200);
      const changed = await request(a.url)
        .patch(`/users/${user.id}`)
        .set('Cookie', sessionA)
        .send({ password: 'a new password for A', currentPassword: PASSWORD })
        .expect(200);
      const rotated = cookieHeader(sidCookie(changed)!);
      expect(sessionIdOf(rotated)).not.toBe(sessionIdOf(sessionA));
      await request(b.url).get('/auth/me').set('Cookie', sessionB).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', sessionC).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', sessionA).expect(401);
      await request(a.url).get('/auth/me').set('Cookie', bystander).expect(200);
      const me = await request(b.url).get('/auth/me').set('Cookie', rotated).expect(200);
      expect(me.body.id).toBe(user.id);
      expect(await redis.exists(sessionKey(sessionB))).toBe(0);
      await login(b.url, address, 'a new password for A');
    });

    it('keeps every session when only the name changes', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const sessionA = await login(a.url, address);
      const sessionB = await login(b.url, address);
      const renamed = await request(a.url)
        .patch(`/users/${user.id}`)
        .set('Cookie', sessionA)
        .send({ name: 'Renamed' })
        .expect(200);
      expect(sidCookie(renamed)).toBeUndefined();
      await request(b.url).get('/auth/me').set('Cookie', sessionB).expect(200);
      await request(a.url).get('/auth/me').set('Cookie', sessionA).expect(200);
    });

    it('answers 403 for a wrong currentPassword and ends no session', async () => {
      const address = email();
      const user = await signUp(a.url, address);
      const sessionA = await login(a.url, address);
      const sessionB = await login(b.url, address);
      await request(a.url)
        .patch(`/users/${user.id}`)
        .set('Cookie', sessionA)
        .send({ password: 'a new password for A', currentPassword: 'not the password' })
        .expect(403);
      await request(b.url).get('/auth/me').set('Cookie', sessionB).expect(200);
    });
  });
});

describe('Session idle expiry (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({ SESSION_SECRET: SECRET, SESSION_TTL_S: '2' }),
    );
  });

  afterAll(() => instance.close());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a session used within the TTL stays alive past it; one left idle longer than the TTL ends', async () => {
    const address = `idle-${Date.now()}@example.com`;
    await signUp(instance.url, address);
    const cookie = await login(instance.url, address);
    for (let i = 0; i < 3; i++) {
      await pause(1200);
      await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(200);
    }
    await pause(3000);
    await request(instance.url).get('/auth/me').set('Cookie', cookie).expect(401);
  });
});
