import { AppInstance, startInstance } from './support/app-instance';
import { ReportClient, signIn } from './support/report-client';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

describe('Inventory report: SIGTERM to node dist/main.js mid-run (e2e)', () => {
  let clone: ProjectClone;
  let doomed: SpawnedApp;
  let survivor: AppInstance;
  let doomedUrl: string;
  let cookie: string;

  beforeAll(async () => {
    clone = ProjectClone.create().build();
    const { port, url } = await freeUrl();
    doomedUrl = url;
    // The holder's lock would outlive this test by far if shutdown did not release it.
    const env = await isolatedEnv({
      SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars',
      THROTTLE_LIMIT: '1000000',
      LOCK_TTL_MS: '60000',
    });
    survivor = await startInstance(env);
    doomed = clone.run({
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      INVENTORY_REPORT_DELAY_MS: '600000',
    });
    await doomed.waitUntilServing(url);
    cookie = await signIn(survivor);
  });

  afterAll(async () => {
    doomed.signal('SIGKILL');
    await survivor.close();
    clone.destroy();
  });

  it('releases the lock, closes the run as failed and exits 0; another instance starts a run at once', async () => {
    const holder = new ReportClient(doomedUrl, cookie);
    const other = new ReportClient(survivor.url, cookie);
    const started = await holder.trigger();
    expect(started.status).toBe(202);
    expect((await other.trigger()).status).toBe(409);

    expect(await doomed.stop()).toBe(0);

    const next = await other.trigger();
    expect(next.status).toBe(202);
    expect((await other.run(started.body.runId as string))?.status).toBe('failed');
    await other.ended(next.body.runId as string);
  });
});
