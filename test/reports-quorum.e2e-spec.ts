import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { waitFor } from './support/ports';
import { RedisServer } from './support/redis-server';
import { ReportClient, signIn } from './support/report-client';
import { isolatedEnv } from './support/test-env';

describe('Inventory report over 3 instances locking on a quorum of 3 Redis masters (e2e)', () => {
  let masters: RedisServer[] = [];
  let instances: AppInstance[] = [];
  let clients: ReportClient[];

  beforeAll(async () => {
    masters = await Promise.all([1, 2, 3].map(() => RedisServer.start()));
    const env = await isolatedEnv({
      THROTTLE_LIMIT: '1000000',
      INVENTORY_REPORT_DELAY_MS: '1500',
      LOCK_REDIS_NODES: masters.map((m) => m.url).join(','),
    });
    instances = await startInstances(3, env);
    const cookie = await signIn(instances[0]);
    clients = instances.map((instance) => new ReportClient(instance.url, cookie));
  });

  afterAll(async () => {
    await closeAll(instances);
    await Promise.all(masters.map((m) => m.destroy()));
  });

  /** Triggers on each instance in turn until one call starts a run; answers its fencing token. */
  async function startRun(): Promise<{ runId: string; fencingToken: number }> {
    let started: { runId: string; fencingToken: number } | undefined;
    let i = 0;
    await waitFor(
      async () => {
        const res = await clients[i++ % 3].trigger();
        expect([202, 409]).toContain(res.status);
        if (res.status === 202) started = res.body as typeof started;
        return started !== undefined;
      },
      20_000,
      'a trigger to start a run',
    );
    return started!;
  }

  it('admits exactly one of 30 concurrent triggers spread over the instances; the others get 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => clients[i % 3].trigger()),
    );
    const accepted = responses.filter((res) => res.status === 202);
    const conflicts = responses.filter((res) => res.status === 409);
    expect(accepted).toHaveLength(1);
    expect(conflicts).toHaveLength(29);
    for (const conflict of conflicts)
      expect(conflict.body.runningSince).toEqual(expect.any(String));
    const run = await clients[1].ended(accepted[0].body.runId as string);
    expect(run).toMatchObject({ status: 'completed', fencingToken: accepted[0].body.fencingToken });
  });

  it('keeps starting runs with increasing tokens with one master stopped', async () => {
    const [before] = await clients[0].runs();
    await masters[1].stop();
    try {
      const started = await startRun();
      expect(started.fencingToken).toBeGreaterThan(before.fencingToken);
      expect((await clients[2].ended(started.runId)).status).toBe('completed');
    } finally {
      await masters[1].start();
    }
  });

  it('answers 503 and records no run with two masters stopped', async () => {
    const before = await clients[0].runs();
    await masters[0].stop();
    await masters[2].stop();
    try {
      for (const client of clients) {
        const res = await client.trigger();
        expect(res.status).toBe(503);
        expect(res.body.message).toMatch(/inventory report cannot start/);
      }
      expect(await clients[1].runs()).toEqual(before);
    } finally {
      await masters[0].start();
      await masters[2].start();
    }
  });
});
