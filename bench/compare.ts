import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PostgresServer } from '../test/support/postgres-server';
import { RedisServer } from '../test/support/redis-server';
import { productionEnv, seedProduct } from './fixtures';
import { rssOf, startOtlpSink, startService, type Server } from './processes';

/**
 * Compares builds of the service side by side: all of them run at once on one PostgreSQL and Redis
 * and a cached `GET /products/:id` loads each in turn, round after round, so they share whatever
 * else the machine is doing. Prints per build the median req/s, the median CPU time (user + system)
 * per request, which other load disturbs less than req/s, the median p99 and the peak RSS.
 *
 * Usage: npm run bench:compare -- <dist> <dist> [...] [--rounds=6] [--seconds=5]
 *
 * A build may be followed by variables of its own, `<dist>,NAME=value,NAME=value`, to compare one
 * build in several configurations; `OTEL_EXPORTER_OTLP_ENDPOINT=sink` points it at a collector
 * stand-in that the script starts (`otlp-sink.ts`).
 */
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number =>
  Number(args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const builds = args.filter((arg) => !arg.startsWith('--'));
const SINK = 'sink';

/** A build's folder and its own variables, from `<dist>,NAME=value,…`. */
function buildOf(arg: string): { dist: string; env: Record<string, string> } {
  const [dist, ...assignments] = arg.split(',');
  const env = Object.fromEntries(
    assignments.map((a) => [a.split('=')[0], a.slice(a.indexOf('=') + 1)]),
  );
  return { dist: resolve(dist), env };
}
const rounds = flag('rounds', 6);
const seconds = flag('seconds', 5);
const CLOCK_TICK_MS = 10; // /proc/<pid>/stat counts in USER_HZ (100 on Linux)

/** CPU time the process has used so far, in milliseconds. */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Samples {
  requests: number[];
  cpuUs: number[];
  p99: number[];
  peakRss: number;
}

async function main(): Promise<void> {
  if (builds.length < 2) throw new Error('Give at least two build folders (dist) to compare');
  const [postgres, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  const servers: Server[] = [];
  const needsSink = builds.some((arg) => buildOf(arg).env.OTEL_EXPORTER_OTLP_ENDPOINT === SINK);
  const sink = needsSink ? await startOtlpSink() : undefined;
  try {
    const databaseUrl = await postgres.createDatabase('bench');
    const env = productionEnv(databaseUrl, redis.url);
    for (const arg of builds) {
      const build = buildOf(arg);
      if (build.env.OTEL_EXPORTER_OTLP_ENDPOINT === SINK) {
        build.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink!.base;
      }
      servers.push(await startService(build.dist, { ...env, ...build.env }));
    }
    const path = `/products/${await seedProduct(databaseUrl, 'Espresso cup')}`;
    const load = (server: Server, duration: number) =>
      autocannon({ url: server.base + path, connections: 50, duration });
    for (const server of servers) await load(server, 2);

    const samples: Samples[] = servers.map(() => ({
      requests: [],
      cpuUs: [],
      p99: [],
      peakRss: 0,
    }));
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const pid = server.child.pid;
        const cpuBefore = cpuMs(pid);
        let peak = rssOf(pid);
        const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
        const result = await load(server, seconds);
        clearInterval(sampler);
        samples[i].requests.push(result.requests.average);
        samples[i].cpuUs.push(((cpuMs(pid) - cpuBefore) * 1000) / result.requests.total);
        samples[i].p99.push(result.latency.p99);
        samples[i].peakRss = Math.max(samples[i].peakRss, peak);
      }
    }

    console.log(
      `\n${rounds} rounds of ${seconds} s each, 50 connections, cached GET /products/:id\n`,
    );
    console.log('| build | req/s (median) | CPU per request | p99 ms | peak RSS MiB |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [i, build] of builds.entries()) {
      const { requests, cpuUs, p99, peakRss } = samples[i];
      console.log(
        `| ${build} | ${Math.round(median(requests))} | ${median(cpuUs).toFixed(0)} µs | ` +
          `${median(p99)} | ${(peakRss / 2 ** 20).toFixed(0)} |`,
      );
    }
  } finally {
    for (const server of servers) await server.stop();
    await sink?.stop();
    await Promise.all([postgres.destroy(), redis.destroy()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
