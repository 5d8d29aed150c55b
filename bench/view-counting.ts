import autocannon from 'autocannon';
import { Redis } from 'ioredis';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * The cached `GET /products/:id` with view counting on and off (two services on the same PostgreSQL
 * and Redis, TRENDING_ENABLED=true/false), loaded in alternating rounds so that whatever else the
 * machine does weighs on both alike. Answers the median req/s of each.
 */
export async function countingRounds(
  urls: { on: string; off: string },
  seconds: number,
  connections: number,
  rounds = 3,
): Promise<{ on: number; off: number }> {
  const figures = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const result = await autocannon({ url: urls[mode], connections, duration: seconds });
      if (result.non2xx + result.errors > 0) throw new Error(`${mode}: failed requests`);
      figures[mode].push(result.requests.average);
    }
  }
  return { on: median(figures.on), off: median(figures.off) };
}

/** Redis commands per request over `requests` reads of `url` (INFO commandstats, reset first). */
export async function redisCommandsPerRead(
  redisUrl: string,
  url: string,
  requests = 5_000,
): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    await redis.config('RESETSTAT');
    await autocannon({ url, connections: 10, amount: requests });
    const stats = await redis.info('commandstats');
    let calls = 0;
    for (const [, command, count] of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (command !== 'info' && command !== 'config|resetstat') calls += Number(count);
    }
    return calls / requests;
  } finally {
    redis.disconnect();
  }
}
