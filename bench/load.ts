import autocannon, { type Request } from 'autocannon';
import { Redis } from 'ioredis';
import { rssOf, type Server } from './processes';

/** What autocannon sends: one URL, or a sequence of requests each connection repeats. */
export interface Load {
  path: string;
  requests?: Request[];
}

export interface Measured {
  requests: number;
  /** Requests per second of the reference in the rounds alternated with these. */
  reference: number;
  /** The median over the rounds of requests / the reference's in the round just before. */
  ratio: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  peakRss: number;
  /** Redis commands run while this load ran (the reference's rounds excluded). */
  redisCommands: number;
}

interface Round {
  requests: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

async function round(
  server: Server,
  load: Load,
  seconds: number,
  connections: number,
): Promise<Round> {
  const result = await autocannon({
    url: server.base + load.path,
    requests: load.requests,
    connections,
    duration: seconds,
    pipelining: 1,
  });
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = count ?? 0;
  }
  if (result.errors) statuses.errors = result.errors;
  return {
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  };
}

/** Commands of the measuring itself, left out of the counts. */
const MEASURING = new Set(['info', 'config|resetstat']);

/** Total commands Redis has run, from `INFO commandstats` (without the measuring's own calls). */
export async function redisCommands(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  let total = 0;
  for (const [, command, calls] of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (!MEASURING.has(command)) total += Number(calls);
  }
  return total;
}

/** Samples a process's resident set size while `work` runs; resolves to the peak, in bytes. */
async function peakRssDuring(pid: number | undefined, work: Promise<unknown>): Promise<number> {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssOf(pid));
}

/**
 * Loads `server` in `rounds` rounds of `seconds`, each right after a round of the reference, so
 * that both see the same machine; throughput is the mean over the rounds, the ratio the median of
 * the rounds' ratios (a burst of other load on the machine skews one round, not the figure), latency
 * the worst round.
 */
export async function measure(options: {
  server: Server;
  load: Load;
  reference: Server;
  redis: Redis;
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<Measured> {
  const { server, load, reference, redis, rounds, seconds, connections } = options;
  const measured: Measured = {
    requests: 0,
    reference: 0,
    ratio: 0,
    p50: 0,
    p99: 0,
    statuses: {},
    peakRss: 0,
    redisCommands: 0,
  };
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const { requests: referenceRequests } = await round(
      reference,
      { path: '/' },
      seconds,
      connections,
    );
    measured.reference += referenceRequests;
    const before = await redisCommands(redis);
    const work = round(server, load, seconds, connections);
    const peak = await peakRssDuring(server.child.pid, work);
    const result = await work;
    measured.redisCommands += (await redisCommands(redis)) - before;
    measured.requests += result.requests;
    ratios.push(result.requests / referenceRequests);
    measured.p50 = Math.max(measured.p50, result.p50);
    measured.p99 = Math.max(measured.p99, result.p99);
    measured.peakRss = Math.max(measured.peakRss, peak);
    for (const [status, count] of Object.entries(result.statuses)) {
      measured.statuses[status] = (measured.statuses[status] ?? 0) + count;
    }
  }
  measured.requests /= rounds;
  measured.reference /= rounds;
  measured.ratio = median(ratios);
  return measured;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A short unmeasured load, so that the measured rounds see a warmed-up process. */
export async function warmUp(server: Server, load: Load, connections: number): Promise<void> {
  await round(server, load, 2, connections);
}
