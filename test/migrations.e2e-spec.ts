import { DataSource } from 'typeorm';
import { AppInstance, startInstance } from './support/app-instance';
import { isolatedEnv } from './support/test-env';

describe('Migrations (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv());
  });

  afterAll(() => instance.close());

  it('leave the schema exactly as the entities describe it, so migration:generate finds nothing to do', async () => {
    const pending = await instance.app.get(DataSource).driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('have all been applied at start-up', async () => {
    expect(await instance.app.get(DataSource).showMigrations()).toBe(false);
  });
});
