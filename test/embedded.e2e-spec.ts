import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { trendingBecomes, view } from './support/trending-client';

/**
 * The default a fresh clone runs with. A process of its own, `node dist/main.js`: PGlite loads
 * itself with a dynamic `import()`, which jest's module sandbox refuses.
 */
describe('Embedded mode: PGlite and in-process stores, no DATABASE_URL or REDIS_URL (e2e)', () => {
  let clone: ProjectClone;
  let app: SpawnedApp | undefined;
  let url: string;
  let env: Record<string, string>;
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-'));
  const created: { productId?: string; userId?: string; adminPassword?: string } = {};

  const start = async () => {
    app = clone.run(env);
    await app.waitUntilServing(url);
  };

  /** An agent signed in as the member the tests sign up (an admin once user:role made it one). */
  const signedIn = async () => {
    const api = request.agent(url);
    await api
      .post('/auth/login')
      .send({ email: 'embedded@example.com', password: 'embedded-password' })
      .expect(200);
    return api;
  };

  beforeAll(async () => {
    clone = ProjectClone.create();
    const free = await freeUrl();
    url = free.url;
    env = {
      NODE_ENV: 'test',
      PORT: String(free.port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      INVENTORY_REPORT_SCHEDULE: 'false',
      CACHE_TTL_TRENDING_S: '1',
    };
  });

  afterEach(async () => {
    if (app) expect(await app.stop()).toBe(0);
    app = undefined;
  });

  afterAll(() => {
    clone?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs an npm script to its end; answers its exit code and output. */
  const npmRun = async (script: string, args: string[] = []) => {
    const command = clone.npmRun(script, env, args);
    const code = await command.exited;
    return { code, output: command.output.trim() };
  };

  it('npm run seed builds a fresh clone, makes the demo admin and prints its password; a re-run says it exists', async () => {
    const first = await npmRun('seed');
    expect(first.code).toBe(0);
    const made = /Created the demo admin admin@example\.com with the password (\S+)/.exec(
      first.output,
    );
    expect(made).not.toBeNull();
    created.adminPassword = made![1];
    const again = await npmRun('seed');
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/admin@example\.com exists already/);
    expect(again.output).not.toContain(created.adminPassword);
    // A whole build of a fresh clone, then two runs: minutes on a busy machine.
  }, 240_000);

  it('answers /health 200, warns that it serves one instance only, and keeps data under DATA_DIR', async () => {
    await start();
    const res = await request(url).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
    });
    expect(app!.output).toMatch(/ONE instance only/);
    expect(readdirSync(dataDir)).toContain('pglite');
  });

  it('creates and reads a user and a product: a member may not write products, the demo admin may', async () => {
    await start();
    const api = request.agent(url);
    const user = await api
      .post('/users')
      .send({ email: 'Embedded@Example.com', name: 'Embedded', password: 'embedded-password' })
      .expect(201);
    expect(user.body).toMatchObject({ email: 'embedded@example.com', role: 'member' });
    await api
      .post('/auth/login')
      .send({ email: 'embedded@example.com', password: 'embedded-password' })
      .expect(200);
    const body = { name: 'Local', category: 'embedded', price: 19.99, stock: 2 };
    await api.post('/products').send(body).expect(403);
    const admin = request.agent(url);
    await admin
      .post('/auth/login')
      .send({ email: 'admin@example.com', password: created.adminPassword })
      .expect(200);
    const product = await admin.post('/products').send(body).expect(201);
    await api.get(`/products/${product.body.id}`).expect(200);
    await api.get(`/users/${user.body.id}`).expect(200);
    created.productId = product.body.id;
    created.userId = user.body.id;
  });

  it('while the server holds DATA_DIR, seed and a second server stop at once with one sentence, and user:role goes through the server: the member is an admin at its next request, signed in as it was', async () => {
    await start();
    const seed = await npmRun('seed');
    expect(seed.code).toBe(1);
    expect(seed.output).toMatch(/^The embedded database in .+ is in use by process \d+ .+\.$/);
    expect(seed.output.split('\n')).toHaveLength(1);
    const second = clone.run({ ...env, PORT: String((await freeUrl()).port) });
    expect(await second.exited).toBe(1);
    expect(second.output.trim()).toMatch(
      /^The embedded database in .+ is in use by process \d+ .+\.$/,
    );

    const member = await signedIn();
    await member.get('/users').expect(403);
    expect(await npmRun('user:role', ['nobody@example.com', 'admin'])).toEqual({
      code: 1,
      output: 'No user has the email nobody@example.com',
    });
    expect(await npmRun('user:role', ['EMBEDDED@example.com', 'admin'])).toEqual({
      code: 0,
      output: 'embedded@example.com is now admin',
    });
    await member.get('/users').expect(200);
    expect(await npmRun('user:role', ['embedded@example.com', 'member'])).toMatchObject({
      code: 0,
    });
    await member.get('/users').expect(403);
  });

  it('keeps a signed-in session across a restart with a kept secret', async () => {
    const withSecret = { ...env, SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars' };
    app = clone.run(withSecret);
    await app.waitUntilServing(url);
    const member = await signedIn();
    await member.get('/auth/me').expect(200);
    expect(await app.stop()).toBe(0);
    app = clone.run(withSecret);
    await app.waitUntilServing(url);
    const me = await member.get('/auth/me').expect(200);
    expect(me.body).toMatchObject({ email: 'embedded@example.com' });
  });

  it('user:role makes a member an admin from its next sign-in; one line and exit 1 for an unknown email or a bad role', async () => {
    const unknown = await npmRun('user:role', ['nobody@example.com', 'admin']);
    expect(unknown).toEqual({ code: 1, output: 'No user has the email nobody@example.com' });
    const bad = await npmRun('user:role', ['embedded@example.com', 'owner']);
    expect(bad).toEqual({ code: 1, output: 'Unknown role "owner": use one of member, admin' });
    const good = await npmRun('user:role', ['EMBEDDED@example.com', 'admin']);
    expect(good).toEqual({ code: 0, output: 'embedded@example.com is now admin' });
    await start();
    const api = await signedIn();
    await api.get('/users').expect(200);
  });

  it('counts product views in process and ranks them in every trending window', async () => {
    await start();
    const api = await signedIn();
    const other = await api
      .post('/products')
      .send({ name: 'Other', category: 'embedded', price: 1, stock: 1 })
      .expect(201);
    await view(url, created.productId!, 2);
    await view(url, other.body.id as string, 2);
    await view(url, other.body.id as string);
    for (const window of ['1h', '24h', '7d']) {
      await trendingBecomes(url, `?window=${window}`, [
        { id: other.body.id as string, views: 3 },
        { id: created.productId!, views: 2 },
      ]);
    }
    await api.delete(`/products/${other.body.id as string}`).expect(204);
    expect((await request(url).get('/products/trending?window=7d').expect(200)).body.items).toEqual(
      [
        expect.objectContaining({
          product: expect.objectContaining({ id: created.productId }),
          views: 2,
        }),
      ],
    );
  });

  it('keeps the user and the product across a restart on the same DATA_DIR, taking over the lock of a process that died', async () => {
    expect(created.productId).toBeDefined();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'embedded.pid'), String(dead));
    await start();
    const api = request.agent(url);
    const product = await api.get(`/products/${created.productId}`).expect(200);
    expect(product.body).toMatchObject({ name: 'Local', price: 19.99, stock: 2 });
    const list = await api.get('/products?category=embedded').expect(200);
    expect(list.body.total).toBe(1); // the other product was deleted
    const again = await api
      .post('/users')
      .send({ email: 'EMBEDDED@example.com', name: 'Again', password: 'embedded-password' });
    expect(again.status).toBe(409);
  });
});
