import * as argon2 from 'argon2';
import { Client } from 'pg';
import request from 'supertest';
import { adminAgent } from './support/admin-agent';
import { AppInstance, startInstance } from './support/app-instance';
import { expectErrorShape } from './support/error-shape';
import { SignedIn, signedInAgent } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';

const USER_KEYS = ['createdAt', 'email', 'id', 'name', 'role', 'updatedAt'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('Users (e2e)', () => {
  let instance: AppInstance;
  let db: Client;
  let me: SignedIn;

  beforeAll(async () => {
    const env = await isolatedEnv({ THROTTLE_LIMIT: '1000000', LOGIN_THROTTLE_LIMIT: '1000000' });
    instance = await startInstance(env);
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    me = await adminAgent(instance);
  });

  afterAll(async () => {
    await db.end();
    await instance.close();
  });

  const storedHash = async (id: string): Promise<string> => {
    const { rows } = await db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [id],
    );
    return rows[0].password_hash;
  };

  describe('POST /users', () => {
    it('answers 201 with exactly id, email, name, role and timestamps, a member, the email lower-cased', async () => {
      const res = await request(instance.url)
        .post('/users')
        .send({ email: 'Grace.Hopper@Example.COM', name: 'Grace', password: 'cobol-rules-1959' })
        .expect(201);
      expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
      expect(res.body).toMatchObject({
        email: 'grace.hopper@example.com',
        name: 'Grace',
        role: 'member',
      });
      expect(res.body.id).toMatch(UUID);
      expect(res.body.createdAt).toMatch(ISO);
      expect(res.body.updatedAt).toMatch(ISO);
    });

    it('stores the password as an argon2id PHC string with its parameters, never the password', async () => {
      const password = 'a very secret password';
      const res = await request(instance.url)
        .post('/users')
        .send({ email: 'phc@example.com', name: 'Phc', password })
        .expect(201);
      const hash = await storedHash(res.body.id);
      expect(hash).toMatch(/^\$argon2id\$v=19\$[mtp]=\d+,[mtp]=\d+,[mtp]=\d+\$[\w+/]+\$[\w+/]+$/);
      const parameters = hash
        .split('$')[3]
        .split(',')
        .map((p) => p.split('=')[0]);
      expect(parameters.sort()).toEqual(['m', 'p', 't']);
      expect(hash).not.toContain(password);
      expect(JSON.stringify(res.body)).not.toContain(hash);
      expect(JSON.stringify(res.body)).not.toContain(password);
    });

    it("hashes with OWASP's argon2id parameters, and re-hashes at sign-in a password stored with others, the user unchanged", async () => {
      const password = 'an older hash of mine';
      const res = await request(instance.url)
        .post('/users')
        .send({ email: 'rehash@example.com', name: 'Rehash', password })
        .expect(201);
      expect(await storedHash(res.body.id)).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      const older = await argon2.hash(password, { type: argon2.argon2id, memoryCost: 65_536 });
      await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [older, res.body.id]);

      const signIn = () =>
        request(instance.url).post('/auth/login').send({ email: 'rehash@example.com', password });
      expect((await signIn().expect(200)).body).toEqual(res.body);
      expect(await storedHash(res.body.id)).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect((await signIn().expect(200)).body).toEqual(res.body);
    });

    it('answers 400 for a role in the sign-up body, and makes no user', async () => {
      const res = await request(instance.url).post('/users').send({
        email: 'climber@example.com',
        name: 'Climber',
        password: 'climb-the-ladder',
        role: 'admin',
      });
      expectErrorShape(res, 400);
      const { rows } = await db.query("SELECT 1 FROM users WHERE email = 'climber@example.com'");
      expect(rows).toHaveLength(0);
    });

    it('answers 409 for an email already taken in another case, and keeps the first user', async () => {
      await request(instance.url)
        .post('/users')
        .send({ email: 'twice@example.com', name: 'First', password: 'password-one' })
        .expect(201);
      const res = await request(instance.url)
        .post('/users')
        .send({ email: 'TWICE@example.com', name: 'Second', password: 'password-two' });
      expectErrorShape(res, 409);
      const { rows } = await db.query("SELECT name FROM users WHERE email = 'twice@example.com'");
      expect(rows).toEqual([{ name: 'First' }]);
    });

    it('accepts passwords of exactly 8 and 128 characters', async () => {
      for (const [i, password] of ['p'.repeat(8), 'p'.repeat(128)].entries()) {
        await request(instance.url)
          .post('/users')
          .send({ email: `bounds${i}@example.com`, name: 'Bounds', password })
          .expect(201);
      }
    });
  });

  describe('GET /users', () => {
    beforeAll(async () => {
      for (let i = 0; i < 25; i++) {
        await request(instance.url)
          .post('/users')
          .send({ email: `list${i}@example.com`, name: `List ${i}`, password: 'list-password' })
          .expect(201);
      }
    });

    it('answers page 1 of 20 by default, with the total, newest first', async () => {
      const res = await me.agent.get('/users').expect(200);
      const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM users');
      expect(res.body).toMatchObject({ page: 1, limit: 20, total: Number(rows[0].count) });
      expect(res.body.items).toHaveLength(20);
      expect(res.body.items[0]).toMatchObject({ email: 'list24@example.com' });
      const items = res.body.items as { createdAt: string }[];
      const stamps = items.map((u) => u.createdAt);
      expect([...stamps].sort().reverse()).toEqual(stamps);
    });

    it('pages through every user exactly once', async () => {
      const first = await me.agent.get('/users?limit=7').expect(200);
      const total: number = first.body.total;
      const seen = new Set<string>();
      for (let page = 1; page <= Math.ceil(total / 7); page++) {
        const res = await me.agent.get(`/users?page=${page}&limit=7`).expect(200);
        expect(res.body).toMatchObject({ page, limit: 7, total });
        for (const user of res.body.items as { id: string }[]) seen.add(user.id);
      }
      expect(seen.size).toBe(total);
    });

    it('accepts limit 100 and a page past the end, which is empty', async () => {
      const all = await me.agent.get('/users?limit=100').expect(200);
      expect(all.body.items).toHaveLength(all.body.total);
      const past = await me.agent.get('/users?page=1000&limit=100').expect(200);
      expect(past.body).toMatchObject({ items: [], page: 1000, total: all.body.total });
    });

    it('never answers a password hash in a list', async () => {
      const res = await me.agent.get('/users?limit=100').expect(200);
      for (const user of res.body.items) expect(Object.keys(user).sort()).toEqual(USER_KEYS);
      expect(JSON.stringify(res.body)).not.toContain('$argon2');
    });
  });

  describe('GET /users/:id', () => {
    it('answers 200 with the user', async () => {
      const res = await me.agent.get(`/users/${me.user.id}`).expect(200);
      expect(res.body).toEqual(me.user);
    });

    it('answers 404 with the error shape for an unknown id', async () => {
      expectErrorShape(await me.agent.get('/users/00000000-0000-4000-8000-000000000000'), 404);
    });
  });

  describe('PATCH /users/:id', () => {
    it('changes the name only, and moves updatedAt forward', async () => {
      const res = await me.agent
        .patch(`/users/${me.user.id}`)
        .send({ name: 'Renamed' })
        .expect(200);
      expect(res.body).toMatchObject({ id: me.user.id, email: me.user.email, name: 'Renamed' });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(me.user.updatedAt));
      const { rows: stamps } = await db.query(
        'SELECT updated_at > created_at AS moved FROM users WHERE id = $1',
        [me.user.id],
      );
      expect(stamps).toEqual([{ moved: true }]);
      const read = await me.agent.get(`/users/${me.user.id}`).expect(200);
      expect(read.body.name).toBe('Renamed');
    });

    it('stores a new email lower-cased', async () => {
      const res = await me.agent
        .patch(`/users/${me.user.id}`)
        .send({ email: 'New.Address@Example.com', currentPassword: me.password })
        .expect(200);
      expect(res.body.email).toBe('new.address@example.com');
    });

    it('answers 409 for an email another user holds in another case', async () => {
      const res = await me.agent
        .patch(`/users/${me.user.id}`)
        .send({ email: 'LIST3@example.com', currentPassword: me.password });
      expectErrorShape(res, 409);
      const read = await me.agent.get(`/users/${me.user.id}`).expect(200);
      expect(read.body.email).toBe('new.address@example.com');
    });

    it('answers 400 for a new email or password without currentPassword, and changes nothing', async () => {
      const before = await storedHash(me.user.id);
      for (const body of [{ email: 'sneaky@example.com' }, { password: 'a sneaky password' }]) {
        const res = await me.agent.patch(`/users/${me.user.id}`).send(body);
        expectErrorShape(res, 400);
        expect(JSON.stringify(res.body)).toContain('currentPassword');
      }
      expect(await storedHash(me.user.id)).toBe(before);
      const read = await me.agent.get(`/users/${me.user.id}`).expect(200);
      expect(read.body.email).toBe('new.address@example.com');
    });

    it('answers 403 for a wrong currentPassword, with a name-only change too, and changes nothing', async () => {
      const before = await storedHash(me.user.id);
      const changes = [
        { email: 'sneaky@example.com' },
        { password: 'a sneaky password' },
        { name: 'Sneaky' },
      ];
      for (const body of changes) {
        const res = await me.agent
          .patch(`/users/${me.user.id}`)
          .send({ ...body, currentPassword: `${me.password}-wrong` });
        expectErrorShape(res, 403);
      }
      expect(await storedHash(me.user.id)).toBe(before);
      const read = await me.agent.get(`/users/${me.user.id}`).expect(200);
      expect(read.body.name).not.toBe('Sneaky');
    });

    it('re-hashes a new password with argon2id, never answers it, and signs in with it', async () => {
      const before = await storedHash(me.user.id);
      const res = await me.agent
        .patch(`/users/${me.user.id}`)
        .send({ password: 'a brand new password', currentPassword: me.password })
        .expect(200);
      expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
      const after = await storedHash(me.user.id);
      expect(after).toMatch(/^\$argon2id\$/);
      expect(after).not.toBe(before);
      await me.agent.get(`/users/${me.user.id}`).expect(200);
      const email = 'new.address@example.com';
      await request(instance.url)
        .post('/auth/login')
        .send({ email, password: 'a brand new password' })
        .expect(200);
      await request(instance.url)
        .post('/auth/login')
        .send({ email, password: me.password })
        .expect(401);
    });

    it('answers 200 with the user unchanged for an empty body', async () => {
      const before = await me.agent.get(`/users/${me.user.id}`).expect(200);
      const res = await me.agent.patch(`/users/${me.user.id}`).send({}).expect(200);
      expect(res.body).toMatchObject({ email: before.body.email, name: before.body.name });
    });
  });

  describe('DELETE /users/:id', () => {
    it('answers 204 with no body, and the user is gone', async () => {
      const doomed = await signedInAgent(instance.url, 'Doomed');
      const res = await doomed.agent.delete(`/users/${doomed.user.id}`).expect(204);
      expect(res.text).toBe('');
      expectErrorShape(await me.agent.get(`/users/${doomed.user.id}`), 404);
      const { rows } = await db.query('SELECT 1 FROM users WHERE id = $1', [doomed.user.id]);
      expect(rows).toHaveLength(0);
    });

    it('frees the email of a deleted user for a new sign-up', async () => {
      const doomed = await signedInAgent(instance.url, 'Doomed');
      await doomed.agent.delete(`/users/${doomed.user.id}`).expect(204);
      await request(instance.url)
        .post('/users')
        .send({ email: doomed.user.email.toUpperCase(), name: 'Again', password: 'password-again' })
        .expect(201);
    });
  });
});
