import { PostgresServer } from './postgres-server';
import { RedisServer } from './redis-server';

/**
 * One PostgreSQL and one Redis for the whole e2e run; each test file takes its own database and key
 * prefix (see `test-env.ts`). Tests that stop a server start their own.
 */
export default async function globalSetup(): Promise<void> {
  const [postgres, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  process.env.TEST_POSTGRES_URL = postgres.url();
  process.env.TEST_REDIS_URL = redis.url;
  (globalThis as Record<string, unknown>).__servers__ = [postgres, redis];
}
