import { Redis } from 'ioredis';

/** Lua script runs (EVAL and EVALSHA) so far on every node of the Redis behind `urls`. */
export async function scriptRuns(urls: string[]): Promise<number> {
  let runs = 0;
  for (const url of urls) {
    const client = new Redis(url);
    const stats = await client.info('commandstats');
    client.disconnect();
    for (const [, calls] of stats.matchAll(/^cmdstat_eval(?:sha)?:calls=(\d+)/gm))
      runs += Number(calls);
  }
  return runs;
}
