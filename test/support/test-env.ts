import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const uniqueName = (): string => `t${randomBytes(6).toString('hex')}`;

/**
 * The environment of one test file: a fresh database on the shared PostgreSQL and its own Redis key
 * prefix on the shared Redis, so that files never see each other's data.
 */
export async function isolatedEnv(
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  const serverUrl = process.env.TEST_POSTGRES_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!serverUrl || !redisUrl) throw new Error('Run e2e tests through test/jest-e2e.config.js');
  const name = uniqueName();
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: serverUrl.replace(/\/[^/]*$/, `/${name}`),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: name,
    INVENTORY_REPORT_SCHEDULE: 'false',
    // Every test client connects from the loopback address, standing for many clients at once.
    MAX_CONNECTIONS_PER_ADDRESS: '10000',
    LOGIN_THROTTLE_ADDRESS_LIMIT: '10000',
    ...overrides,
  };
}
