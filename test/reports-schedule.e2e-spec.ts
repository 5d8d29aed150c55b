import { AppInstance, closeAll, startInstance } from './support/app-instance';
import { waitFor } from './support/ports';
import { ReportClient, ReportRun, signIn } from './support/report-client';
import { isolatedEnv } from './support/test-env';

describe('Inventory report on a schedule over 3 instances (e2e)', () => {
  let instances: AppInstance[];
  let client: ReportClient;

  beforeAll(async () => {
    const env = await isolatedEnv({
      THROTTLE_LIMIT: '1000000',
      INVENTORY_REPORT_SCHEDULE: 'true',
      INVENTORY_REPORT_CRON: '* * * * * *',
      INVENTORY_REPORT_DELAY_MS: '1500',
    });
    instances = [await startInstance(env)];
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
    client = new ReportClient(instances[0].url, await signIn(instances[0]));
  });

  afterAll(() => closeAll(instances));

  it('runs on every instance’s schedule, one run at a time, with increasing fencing tokens', async () => {
    let ended: ReportRun[] = [];
    await waitFor(
      async () => {
        ended = (await client.runs()).filter((run) => run.status !== 'running');
        return ended.length >= 3;
      },
      30_000,
      'three scheduled runs to end',
    );
    // Every instance ticks each second while a run takes 1.5 s: only the lock keeps them apart.
    expect(ended.every((run) => run.status === 'completed')).toBe(true);
    const ordered = [...ended].sort((a, b) => a.fencingToken - b.fencingToken);
    for (let i = 1; i < ordered.length; i++) {
      expect(Date.parse(ordered[i].startedAt)).toBeGreaterThanOrEqual(
        Date.parse(ordered[i - 1].finishedAt!),
      );
    }
    const running = (await client.runs()).filter((run) => run.status === 'running');
    expect(running.length).toBeLessThanOrEqual(1);
    const busy = await Promise.all(
      instances.map(async (instance) => {
        const res = await fetch(`${instance.url}/metrics`);
        const text = await res.text();
        return /lock_acquisitions_total\{lock="reports:inventory",result="busy"\} [1-9]/.test(text);
      }),
    );
    expect(busy.some(Boolean)).toBe(true);
  });
});
