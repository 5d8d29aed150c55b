import { Client } from 'pg';
import { LOCK_BACKEND } from '../src/lock';
import { RedisLockBackend } from '../src/lock/redis-lock.backend';
import { InventoryReportStore } from '../src/reports/inventory-report.store';
import { AppInstance, startInstance } from './support/app-instance';
import { waitFor } from './support/ports';
import { RedisServer } from './support/redis-server';
import { ReportClient, signIn } from './support/report-client';
import { isolatedEnv } from './support/test-env';

const LOCK_TTL_MS = 600;

/** A promise the test resolves when it chooses: the paused part of a holder waits on it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Triggers until one call starts a run (other calls are refused while a run holds the lock). */
async function triggerUntilStarted(client: ReportClient): Promise<{ runId: string }> {
  let started: { runId: string } | undefined;
  await waitFor(
    async () => {
      const res = await client.trigger();
      expect([202, 409]).toContain(res.status);
      if (res.status === 202) started = res.body as { runId: string };
      return started !== undefined;
    },
    20_000,
    'a trigger to start a run',
  );
  return started!;
}

describe('Inventory report: lock expiry, extension and shutdown (e2e)', () => {
  let slow: AppInstance;
  let paused: AppInstance;
  let fast: AppInstance;
  let doomed: AppInstance | undefined;
  let client: (instance: AppInstance) => ReportClient;

  beforeAll(async () => {
    const env = await isolatedEnv({
      THROTTLE_LIMIT: '1000000',
      LOCK_TTL_MS: String(LOCK_TTL_MS),
      INVENTORY_REPORT_DELAY_MS: '0',
    });
    slow = await startInstance({ ...env, INVENTORY_REPORT_DELAY_MS: '2500' });
    paused = await startInstance(env);
    fast = await startInstance(env);
    doomed = await startInstance({
      ...env,
      LOCK_TTL_MS: '30000',
      INVENTORY_REPORT_DELAY_MS: '60000',
    });
    const cookie = await signIn(fast);
    client = (instance) => new ReportClient(instance.url, cookie);
  });

  afterAll(async () => {
    const running = [slow, paused, fast, doomed].filter((i): i is AppInstance => i !== undefined);
    await Promise.all(running.map((instance) => instance.close()));
  });

  it('keeps a run longer than LOCK_TTL_MS locked by extending it: no second run is admitted meanwhile', async () => {
    const res = await client(slow).trigger();
    expect(res.status).toBe(202);
    const { runId } = res.body as { runId: string };
    const answers: { code: number; startedAt?: string; runId?: string }[] = [];
    while ((await client(fast).run(runId))?.status === 'running') {
      const answer = await client(fast).trigger();
      answers.push({ ...(answer.body as object), code: answer.status });
    }
    const run = await client(fast).ended(runId);
    expect(run.status).toBe('completed');
    // The run outlived its lock's TTL several times over, so extension (not luck) kept it exclusive.
    expect(Date.parse(run.finishedAt!) - Date.parse(run.startedAt)).toBeGreaterThan(LOCK_TTL_MS);
    expect(answers.filter((answer) => answer.code === 409).length).toBeGreaterThan(0);
    // A trigger may only be admitted once the run has ended (between the last check and the trigger).
    const admitted = answers.filter((answer) => answer.code !== 409);
    for (const answer of admitted) {
      expect(answer.code).toBe(202);
      expect(Date.parse(answer.startedAt!)).toBeGreaterThanOrEqual(Date.parse(run.finishedAt!));
      await client(fast).ended(answer.runId!);
    }
  });

  it('refuses the write of a holder paused past its TTL and marks its run fenced', async () => {
    const backend = paused.app.get<RedisLockBackend>(LOCK_BACKEND);
    const store = paused.app.get(InventoryReportStore);
    const pause = gate();
    // The holder stalls as in a long GC pause: no lock extension and no write until the gate opens.
    const extend = backend.redlock.extend.bind(backend.redlock);
    const extendSpy = jest
      .spyOn(backend.redlock, 'extend')
      .mockImplementation(async (...args) => pause.opened.then(() => extend(...args)));
    const finish = store.finish.bind(store);
    const finishSpy = jest
      .spyOn(store, 'finish')
      .mockImplementation(async (...args) => pause.opened.then(() => finish(...args)));
    try {
      const held = await client(paused).trigger();
      expect(held.status).toBe(202);
      const stale = held.body as { runId: string; fencingToken: number };

      const newer = await triggerUntilStarted(client(fast));
      const newerRun = await client(fast).ended(newer.runId);
      expect(newerRun.status).toBe('completed');
      expect(newerRun.fencingToken).toBeGreaterThan(stale.fencingToken);

      pause.open();
      await expect(finishSpy.mock.results[0].value).resolves.toBe('fenced');
      expect((await client(fast).run(stale.runId))?.status).toBe('fenced');
      const latest = await client(fast).latest();
      expect(latest.body).toMatchObject({
        runId: newer.runId,
        fencingToken: newerRun.fencingToken,
      });
    } finally {
      pause.open();
      extendSpy.mockRestore();
      finishSpy.mockRestore();
    }
  });

  it('frees the lock at once when the holding instance shuts down mid-run, and closes its run as failed', async () => {
    const res = await client(doomed!).trigger();
    expect(res.status).toBe(202);
    const { runId } = res.body as { runId: string };
    expect((await client(fast).trigger()).status).toBe(409);

    await doomed!.close();
    doomed = undefined;

    // LOCK_TTL_MS of the holder is 30 s: only a release on shutdown lets this start now.
    const next = await client(fast).trigger();
    expect(next.status).toBe(202);
    expect((await client(fast).run(runId))?.status).toBe('failed');
    await client(fast).ended((next.body as { runId: string }).runId);
  });
});

describe('Inventory report with Redis stopped (e2e)', () => {
  let redis: RedisServer;
  let instance: AppInstance;
  let client: ReportClient;
  let db: Client;

  /** Read straight from PostgreSQL: the routes need a session, and sessions need Redis. */
  const runStatus = async (runId: string): Promise<string> => {
    const { rows } = await db.query<{ status: string }>(
      'SELECT status FROM report_runs WHERE run_id = $1',
      [runId],
    );
    return rows[0].status;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = await isolatedEnv({
      REDIS_URL: redis.url,
      THROTTLE_LIMIT: '1000000',
      LOCK_TTL_MS: String(LOCK_TTL_MS),
      INVENTORY_REPORT_DELAY_MS: '3000',
    });
    instance = await startInstance(env);
    client = new ReportClient(instance.url, await signIn(instance));
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await instance.close();
    await redis.destroy();
  });

  it('answers triggers 503 and leaves no run running and no result half-written', async () => {
    const res = await client.trigger();
    expect(res.status).toBe(202);
    const { runId } = res.body as { runId: string };

    await redis.stop();
    const refused = await client.trigger();
    expect(refused.status).toBe(503);
    expect(refused.body.message).toEqual(expect.stringMatching(/unavailable|unreachable/i));
    // Redis stays down until the run has ended: it cannot extend its lock, so it must give up.
    await waitFor(async () => (await runStatus(runId)) !== 'running', 20_000, 'the run to end');

    await redis.start();
    // No new run is started here: a new run would close this one on its own.
    const run = await client.ended(runId);
    expect(run.status).toBe('failed');
    expect((await client.runs()).map((r) => r.runId)).toEqual([runId]);
    expect((await client.latest()).status).toBe(404);
  });
});
