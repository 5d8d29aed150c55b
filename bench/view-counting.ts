import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { redisCommands } from './load';

export interface Service {
  url: string;
  pid: number;
}

export interface Figures {
  /** Median requests per second over the rounds. */
  requestsPerSecond: number;
  /** Median CPU time (user + system) of the service process per request, in µs. */
  cpuMicrosPerRequest: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** CPU time a process has used so far, in ms (Linux: /proc/<pid>/stat utime + stime). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * The cached `GET /products/:id` on two services on the same PostgreSQL and Redis, one counting views
 * and one not (TRENDING_ENABLED=false), loaded in alternating rounds after a warm-up of each, so that
 * whatever else the machine does weighs on both alike. CPU per request is the steadier figure on a
 * shared machine.
 */
export async function countingRounds(
  services: { on: Service; off: Service },
  path: string,
  seconds: number,
  connections: number,
  rounds = 5,
): Promise<{ on: Figures; off: Figures }> {
  const load = async ({ url, pid }: Service): Promise<{ rps: number; cpu: number }> => {
    const before = cpuMs(pid);
    const result = await autocannon({ url: url + path, connections, duration: seconds });
    if (result.non2xx + result.errors > 0) throw new Error(`${url}: failed requests`);
    return {
      rps: result.requests.average,
      cpu: ((cpuMs(pid) - before) * 1000) / result.requests.total,
    };
  };
  for (const mode of ['off', 'on'] as const) await load(services[mode]);
  const taken = {
    on: [] as { rps: number; cpu: number }[],
    off: [] as { rps: number; cpu: number }[],
  };
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      taken[mode].push(await load(services[mode]));
    }
  }
  const figures = (mode: 'on' | 'off'): Figures => ({
    requestsPerSecond: median(taken[mode].map((t) => t.rps)),
    cpuMicrosPerRequest: median(taken[mode].map((t) => t.cpu)),
  });
  return { on: figures('on'), off: figures('off') };
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
    return (await redisCommands(redis)) / requests;
  } finally {
    redis.disconnect();
  }
}
