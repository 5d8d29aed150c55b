import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { freeUrl, ProjectClone } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

describe('Start-up and configuration of a fresh clone (e2e)', () => {
  let clone: ProjectClone;

  beforeAll(() => {
    clone = ProjectClone.create();
  });

  afterAll(() => clone?.destroy());

  it('`npm start` with no environment builds, serves /health 200 on embedded stores, stops on SIGTERM', async () => {
    const { port, url } = await freeUrl();
    const app = clone.npmStart({ PORT: String(port), HOST: '127.0.0.1' });
    await app.waitUntilServing(url, 180_000);
    const res = await request(url).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(app.output).toContain('Building');
    expect(existsSync(join(clone.dir, '.data', 'pglite'))).toBe(true);
    // npm answers a signal it receives itself with 143 whatever its child does; the service's own
    // exit code on SIGTERM is checked where it runs without npm.
    await app.stop();
    await expect(fetch(url)).rejects.toThrow();
  }, 240_000);

  describe('a bad value stops the process before it listens', () => {
    beforeAll(() => {
      if (!existsSync(join(clone.dir, 'dist', 'main.js'))) clone.build();
    });

    it.each<{ bad: Record<string, string>; names: string[] }>([
      { bad: { PORT: 'abc' }, names: ['PORT'] },
      { bad: { PORT: '70000' }, names: ['PORT'] },
      { bad: { THROTTLE_LIMIT: '0' }, names: ['THROTTLE_LIMIT'] },
      { bad: { SESSION_TTL_S: '-5' }, names: ['SESSION_TTL_S'] },
      { bad: { CACHE_TTL_USER_S: '1.5' }, names: ['CACHE_TTL_USER_S'] },
      { bad: { CACHE_TTL_ORDERS_S: '0' }, names: ['CACHE_TTL_ORDERS_S'] },
      { bad: { CACHE_L1_MAX_ENTRIES: '-1' }, names: ['CACHE_L1_MAX_ENTRIES'] },
      { bad: { REDIS_URL: 'http://x' }, names: ['REDIS_URL'] },
      { bad: { DATABASE_URL: 'mysql://x' }, names: ['DATABASE_URL'] },
      { bad: { REDIS_CLUSTER_NODES: 'a:1,b' }, names: ['REDIS_CLUSTER_NODES'] },
      { bad: { TRUST_PROXY: 'maybe' }, names: ['TRUST_PROXY'] },
      { bad: { NODE_ENV: 'production' }, names: ['SESSION_SECRET'] },
      {
        bad: { PORT: 'abc', THROTTLE_LIMIT: '0', REDIS_URL: 'http://x', LOCK_TTL_MS: 'soon' },
        names: ['PORT', 'THROTTLE_LIMIT', 'REDIS_URL', 'LOCK_TTL_MS'],
      },
    ])('$bad → exit 1, one line naming each of $names', async ({ bad, names }) => {
      const { port, url } = await freeUrl();
      const app = clone.run({ PORT: String(port), HOST: '127.0.0.1', ...bad });
      expect(await app.exited).toBe(1);
      const lines = app.output.trim().split('\n');
      expect(lines).toHaveLength(names.length);
      expect(lines.map((line) => line.split(':')[0]).sort()).toEqual([...names].sort());
      await expect(fetch(url)).rejects.toThrow();
    });

    it('accepts any positive integer for counts, limits and TTLs', async () => {
      const { port, url } = await freeUrl();
      const app = clone.run({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(clone.dir, '.data-integers'),
        INVENTORY_REPORT_SCHEDULE: 'false',
        THROTTLE_LIMIT: '1000000000000',
        THROTTLE_TTL_MS: '1',
        LOGIN_THROTTLE_LIMIT: '1',
        LOGIN_THROTTLE_TTL_MS: '86400000000',
        SESSION_TTL_S: '1',
        CACHE_TTL_PRODUCT_S: '1',
        CACHE_TTL_PRODUCT_LIST_S: '315360000',
        CACHE_TTL_USER_S: '1',
        CACHE_TTL_ORDERS_S: '1',
        CACHE_MAX_ENTRY_BYTES: '1',
        DATABASE_POOL_SIZE: '1',
      });
      await app.waitUntilServing(url);
      await request(url).get('/health').expect(200);
      expect(await app.stop()).toBe(0);
    });
  });

  describe('npm run seed', () => {
    it('fills the demo admin, demo members and products once, however often it runs', async () => {
      if (!existsSync(join(clone.dir, 'dist', 'main.js'))) clone.build();
      const env = await isolatedEnv();
      for (let run = 0; run < 2; run++) {
        const seed = clone.npmRun('seed', env);
        expect({ exit: await seed.exited, output: seed.output }).toEqual({
          exit: 0,
          output: expect.stringContaining('demo members'),
        });
      }
      const db = new Client({ connectionString: env.DATABASE_URL });
      await db.connect();
      try {
        const count = async (table: string) =>
          Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
        expect(await count('users')).toBe(4);
        const admins = await db.query("SELECT email FROM users WHERE role = 'admin'");
        expect(admins.rows).toEqual([{ email: 'admin@example.com' }]);
        expect(await count('products')).toBe(12);
        const { rows } = await db.query<{ hash: string }>(
          "SELECT password_hash AS hash FROM users WHERE email = 'ada@example.com'",
        );
        expect(rows[0].hash).toMatch(/^\$argon2id\$/);
      } finally {
        await db.end();
      }
    });
  });
});
