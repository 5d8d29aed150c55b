import { Client } from 'pg';
import request from 'supertest';
import { refused, waitFor } from './support/ports';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

describe('Graceful shutdown of node dist/main.js on SIGTERM (e2e)', () => {
  let clone: ProjectClone;
  let app: SpawnedApp;
  let db: Client;
  let port: number;
  let url: string;
  let dbUrl: string;

  beforeAll(async () => {
    clone = ProjectClone.create().build();
    ({ port, url } = await freeUrl());
    const env = await isolatedEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    app = clone.run(env);
    await app.waitUntilServing(url);
    dbUrl = env.DATABASE_URL;
    db = new Client({ connectionString: dbUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    app?.signal('SIGKILL');
    clone?.destroy();
  });

  it('finishes the request in flight with 200, refuses new connections, and exits 0', async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO products (name, category, price, stock) VALUES ('Held', 'shutdown', 1.25, 1)
       RETURNING id`,
    );
    const id = rows[0].id;

    // Hold the read inside PostgreSQL: it waits on this table lock until we commit.
    const holder = new Client({ connectionString: dbUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE products IN ACCESS EXCLUSIVE MODE');
    const inFlight = request(url)
      .get(`/products/${id}`)
      .then((res) => res);
    await waitFor(
      async () => {
        const waiting = await db.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.rowCount! > 0;
      },
      10_000,
      'the read to wait on the table lock',
    );

    app.signal('SIGTERM');
    await waitFor(() => refused(port), 10_000, 'new connections to be refused');
    expect(app.running).toBe(true);

    await holder.query('COMMIT');
    await holder.end();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: 'Held', price: 1.25 });
    expect(await app.exited).toBe(0);
    expect(app.output).not.toMatch(/ERROR/);
  });
});
