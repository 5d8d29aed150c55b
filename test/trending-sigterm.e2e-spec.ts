import { adminAgent } from './support/admin-agent';
import { AppInstance, startInstance } from './support/app-instance';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';
import { trending, trendingBecomes, view } from './support/trending-client';

describe('Trending: SIGTERM to node dist/main.js before its periodic flush (e2e)', () => {
  let clone: ProjectClone;
  let doomed: SpawnedApp;
  let survivor: AppInstance;
  let doomedUrl: string;

  beforeAll(async () => {
    clone = ProjectClone.create().build();
    const { port, url } = await freeUrl();
    doomedUrl = url;
    const env = await isolatedEnv({ THROTTLE_LIMIT: '1000000', CACHE_TTL_TRENDING_S: '1' });
    survivor = await startInstance(env);
    // No periodic flush within the test: only the shutdown flush can deliver its views.
    doomed = clone.run({
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TRENDING_FLUSH_INTERVAL_MS: '3600000',
    });
    await doomed.waitUntilServing(url);
  });

  afterAll(async () => {
    doomed?.signal('SIGKILL');
    await survivor?.close();
    clone?.destroy();
  });

  it('writes the views it counted at shutdown and exits 0', async () => {
    const admin = (await adminAgent(survivor)).agent;
    const res = await admin
      .post('/products')
      .send({ name: 'Lamp', category: 'sigterm', price: 1, stock: 1 })
      .expect(201);
    const id = (res.body as { id: string }).id;
    await view(doomedUrl, id, 7);
    expect(await trending(survivor.url, '?window=1h')).toEqual([]); // nothing flushed

    expect(await doomed.stop()).toBe(0);

    await trendingBecomes(survivor.url, '?window=1h', [{ id, views: 7 }]);
  });
});
