import request from 'supertest';
import { AppInstance, closeAll, startInstance } from './support/app-instance';
import { ReportClient, ReportRun, signIn } from './support/report-client';
import { isolatedEnv } from './support/test-env';

const UNLIMITED = { THROTTLE_LIMIT: '1000000' };

/** Runs in start order; each ends no later than the next one starts. */
function expectSerialRuns(runs: ReportRun[]): void {
  const ordered = [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1];
    const next = ordered[i];
    expect(previous.finishedAt).not.toBeNull();
    expect(Date.parse(previous.finishedAt!)).toBeLessThanOrEqual(Date.parse(next.startedAt));
    expect(next.fencingToken).toBeGreaterThan(previous.fencingToken);
  }
}

describe('Inventory report over 3 instances (e2e)', () => {
  let instances: AppInstance[];
  let clients: ReportClient[];

  beforeAll(async () => {
    const env = await isolatedEnv({ ...UNLIMITED, INVENTORY_REPORT_DELAY_MS: '2000' });
    instances = [await startInstance(env)];
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
    const cookie = await signIn(instances[0]);
    clients = instances.map((instance) => new ReportClient(instance.url, cookie));
    const products = [
      { name: 'Pen', category: 'office', price: 19.99, stock: 3 },
      { name: 'Clip', category: 'office', price: 0.01, stock: 7 },
      { name: 'Cup', category: 'kitchen', price: 0.1, stock: 3 },
      { name: 'Pan', category: 'kitchen', price: 1234567.89, stock: 0 },
      { name: 'Fork', category: 'kitchen', price: 0.7, stock: 10 },
    ];
    for (const product of products) {
      await request(instances[0].url)
        .post('/products')
        .set('Cookie', cookie)
        .send(product)
        .expect(201);
    }
  });

  afterAll(() => closeAll(instances));

  it('requires sign-in on every route', async () => {
    const { url } = instances[0];
    await request(url).post('/reports/inventory').expect(401);
    await request(url).get('/reports/inventory/latest').expect(401);
    await request(url).get('/reports/inventory/runs').expect(401);
  });

  it('lists the report routes in the OpenAPI document', async () => {
    const res = await request(instances[0].url).get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/reports/inventory',
        '/reports/inventory/latest',
        '/reports/inventory/runs',
      ]),
    );
  });

  it('answers 404 for the latest report before the first run', async () => {
    const res = await clients[1].latest();
    expect(res.status).toBe(404);
  });

  it('admits exactly one of 50 concurrent triggers spread over 3 instances; the others get 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => clients[i % 3].trigger()),
    );
    const accepted = responses.filter((res) => res.status === 202);
    const conflicts = responses.filter((res) => res.status === 409);
    expect(accepted).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    const started = accepted[0].body;
    expect(started).toEqual({
      runId: expect.any(String),
      status: 'running',
      startedAt: expect.any(String),
      fencingToken: expect.any(Number),
    });
    expect(Number.isInteger(started.fencingToken)).toBe(true);
    for (const conflict of conflicts) {
      expect(conflict.body).toMatchObject({ statusCode: 409, message: expect.any(String) });
      expect(conflict.body.runningSince).toBe(started.startedAt);
    }
    const run = await clients[2].ended(started.runId);
    expect(run.status).toBe('completed');
    expect(await clients[0].runs()).toHaveLength(1);
  });

  it('reports per category the products, total stock and stock value exact to the cent', async () => {
    const res = await clients[2].latest();
    expect(res.status).toBe(200);
    const [run] = await clients[0].runs();
    expect(res.body).toEqual({
      runId: run.runId,
      fencingToken: run.fencingToken,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      totals: [
        { category: 'kitchen', products: 3, stock: 13, value: 7.3 },
        { category: 'office', products: 2, stock: 10, value: 60.04 },
      ],
    });
  });

  it('never overlaps runs and strictly increases fencing tokens under continuous contention', async () => {
    const startedIds: string[] = [];
    while (startedIds.length < 3) {
      const burst = await Promise.all(clients.map((client) => client.trigger()));
      for (const res of burst) {
        expect([202, 409]).toContain(res.status);
        if (res.status === 202) startedIds.push(res.body.runId as string);
      }
    }
    for (const runId of startedIds) await clients[0].ended(runId);
    const runs = await clients[1].runs();
    expect(runs).toHaveLength(4);
    expect(runs.every((run) => run.status === 'completed')).toBe(true);
    expectSerialRuns(runs);
    const newestFirst = runs.map((run) => Date.parse(run.startedAt));
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => b - a));
    const latest = await clients[0].latest();
    expect(latest.body.fencingToken).toBe(Math.max(...runs.map((run) => run.fencingToken)));
  });
});
