import { Logger } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { coalesceWrites } from './coalesced-writes';
import { RedisClient } from './redis.constants';

/**
 * Fails fast during an outage: a command waits for at most one reconnection attempt and then
 * rejects instead of piling up, and reconnection keeps trying every few hundred milliseconds so the
 * service is whole again within a second or two of Redis coming back. Auto-pipelining stays off: with
 * the Lua commands this project defines it can throw outside any promise and end the process
 * (ioredis issues #1931, #2109).
 */
const resilientOptions: RedisOptions = {
  connectTimeout: 2000,
  commandTimeout: 2000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: (attempt) => Math.min(50 * attempt, 500),
};

export function createRedisClient(
  { url, clusterNodes }: Pick<AppConfig['redis'], 'url' | 'clusterNodes'>,
  logger: Logger,
): RedisClient | null {
  let client: RedisClient;
  if (clusterNodes) {
    client = new Cluster(clusterNodes, {
      redisOptions: resilientOptions,
      clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
      enableOfflineQueue: true,
      slotsRefreshTimeout: 2000,
    });
  } else if (url) {
    client = new Redis(url, resilientOptions);
  } else {
    return null;
  }
  coalesceWrites(client);
  return reportOutages(client, logger);
}

/** A standalone client of `url`, as fail-fast and as logged as the project client. */
export function createStandaloneRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, resilientOptions);
  coalesceWrites(client);
  return reportOutages(client, logger);
}

/** Logs an outage once when it starts and once when it ends. */
function reportOutages<T extends RedisClient>(client: T, logger: Logger): T {
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn(`Redis unavailable: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.log('Redis connection restored');
    reported = false;
  });
  return client;
}
