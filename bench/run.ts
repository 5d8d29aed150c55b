import type { Request } from 'autocannon';
import { Redis } from 'ioredis';
import { resolve } from 'node:path';
import { PostgresServer } from '../test/support/postgres-server';
import { RedisServer } from '../test/support/redis-server';
import { adminCookie, productionEnv, seedProduct } from './fixtures';
import { Load, measure, Measured, warmUp } from './load';
import { startReference, startService, type Server } from './processes';
import { countingRounds, type Figures, redisCommandsPerRead } from './view-counting';

/**
 * Loads a build of the service with autocannon on real PostgreSQL and Redis started here, and
 * prints each scenario's throughput as a ratio of a bare node:http + one ioredis GET server measured
 * in rounds alternated with the scenario's. Each configuration runs as its own process, so the peak
 * RSS of a scenario is that of the process serving it.
 *
 * Usage: npm run build && npm run bench [-- <seconds> <connections>] [--dist=<build folder>]
 * [--only=<configuration>] (<seconds> per scenario, split into four rounds; --dist loads another
 * build, e.g. an older one; --only runs the configurations whose name contains the text.)
 */
const flags = new Map(
  process.argv
    .slice(2)
    .filter((arg) => arg.startsWith('--'))
    .map((arg) => arg.slice(2).split('=') as [string, string]),
);
const [secondsArg, connectionsArg] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const seconds = Number(secondsArg ?? 10);
const connections = Number(connectionsArg ?? 50);
const dist = resolve(flags.get('dist') ?? resolve(__dirname, '..', 'dist'));
const ROUNDS = 4;
const MANY_CLIENTS = 10_000;
const ABUSIVE_LIMIT = 100;

interface Scenario {
  name: string;
  load: Load;
  /** False: measured from the first request (the abusive client's admitted ones included). */
  warmUp?: boolean;
}

interface Configuration {
  name: string;
  env: Record<string, string>;
  /** Tried in order when the build refuses the first (a variable it does not know yet). */
  fallbackEnv?: Record<string, string>;
  scenarios: (service: Server) => Promise<Scenario[]>;
}

interface Row extends Measured {
  name: string;
}

const clientAddress = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function manyClients(path: string): Request[] {
  let next = 0;
  return [
    {
      method: 'GET',
      path,
      setupRequest: (request) => {
        request.headers = {
          ...request.headers,
          'x-forwarded-for': clientAddress(next++ % MANY_CLIENTS),
        };
        return request;
      },
    },
  ];
}

/** A list query no one asked before, at every request: each misses the cache and loads from PostgreSQL. */
function uniqueSearches(): Request[] {
  let next = 0;
  const run = Date.now().toString(36);
  return [
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: `/products?q=${run}-${next++}` }),
    },
  ];
}

function readWriteMix(path: string, cookie: string): Request[] {
  let stock = 0;
  const write: Request = {
    method: 'PATCH',
    path,
    headers: { cookie, 'content-type': 'application/json' },
    setupRequest: (request) => ({ ...request, body: JSON.stringify({ stock: ++stock % 1000 }) }),
  };
  return [...Array.from({ length: 9 }, (): Request => ({ method: 'GET', path })), write];
}

async function cached(service: Server, path: string): Promise<string> {
  for (let i = 0; i < 2; i++) await (await fetch(service.base + path)).text();
  return path;
}

async function main(): Promise<void> {
  const [postgres, redisServer] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  const redis = new Redis(redisServer.url);
  let reference: Server | undefined;
  try {
    const databaseUrl = await postgres.createDatabase('bench');
    const common = productionEnv(databaseUrl, redisServer.url);
    const configurations: Configuration[] = [
      {
        name: 'default configuration',
        env: {},
        scenarios: async (service) => {
          const product = `/products/${await seedProduct(databaseUrl, 'Espresso cup')}`;
          return [
            {
              name: 'GET /products/:id (cache HIT)',
              load: { path: await cached(service, product) },
            },
            {
              name: 'GET /products?category=kitchen (cache HIT)',
              load: { path: await cached(service, '/products?category=kitchen') },
            },
            {
              name: 'GET /products?q=<unique> (cache defeated)',
              load: { path: '/products', requests: uniqueSearches() },
            },
            { name: 'GET /health (database + Redis ping)', load: { path: '/health' } },
          ];
        },
      },
      {
        name: 'L1 on',
        env: { CACHE_L1_MAX_ENTRIES: '1000' },
        scenarios: async (service) => {
          const read = await cached(service, `/products/${await seedProduct(databaseUrl, 'Mug')}`);
          const mixed = await cached(
            service,
            `/products/${await seedProduct(databaseUrl, 'Bowl')}`,
          );
          const cookie = await adminCookie(service.base, databaseUrl);
          return [
            { name: 'GET /products/:id (cache HIT), L1 on', load: { path: read } },
            {
              name: '90 % GET / 10 % admin PATCH of one product, L1 on',
              load: { path: mixed, requests: readWriteMix(mixed, cookie) },
            },
          ];
        },
      },
      {
        name: 'behind a trusted proxy',
        env: { TRUST_PROXY: '127.0.0.1' },
        fallbackEnv: { TRUST_PROXY: 'true' },
        scenarios: async (service) => {
          const product = await cached(
            service,
            `/products/${await seedProduct(databaseUrl, 'Jug')}`,
          );
          return [
            {
              name: 'GET /products/:id (cache HIT), one client through X-Forwarded-For',
              load: {
                path: product,
                requests: [
                  {
                    method: 'GET',
                    path: product,
                    headers: { 'x-forwarded-for': clientAddress(0) },
                  },
                ],
              },
            },
            {
              name: `GET /products/:id (cache HIT), ${MANY_CLIENTS} clients through X-Forwarded-For`,
              load: { path: product, requests: manyClients(product) },
            },
          ];
        },
      },
      {
        name: 'an abusive client',
        // Its own key prefix: the other configurations' hits from this address are not its own.
        env: { THROTTLE_LIMIT: String(ABUSIVE_LIMIT), REDIS_KEY_PREFIX: 'bench-abusive' },
        scenarios: async (service) => [
          {
            name: `GET /products/:id, one client far past its limit (${ABUSIVE_LIMIT} per minute)`,
            load: {
              path: await cached(service, `/products/${await seedProduct(databaseUrl, 'Pot')}`),
            },
            warmUp: false,
          },
        ],
      },
    ];

    const only = flags.get('only');
    const rows: Row[] = [];
    for (const configuration of configurations) {
      if (only && !configuration.name.includes(only)) continue;
      let service: Server;
      try {
        service = await startService(dist, { ...common, ...configuration.env });
      } catch (error) {
        if (!configuration.fallbackEnv) throw error;
        service = await startService(dist, { ...common, ...configuration.fallbackEnv });
      }
      try {
        if (!reference) {
          // The reference answers with the JSON of a cached product read from the service.
          const product = `/products/${await seedProduct(databaseUrl, 'Reference cup')}`;
          await redis.set('bench:reference', await (await fetch(service.base + product)).text());
          reference = await startReference(redisServer.url, 'bench:reference');
        }
        const scenarios = await configuration.scenarios(service);
        for (const { name, load, warmUp: warm = true } of scenarios) {
          if (warm) await warmUp(service, load, connections);
          const measured = await measure({
            server: service,
            load,
            reference,
            redis,
            rounds: ROUNDS,
            seconds: seconds / ROUNDS,
            connections,
          });
          rows.push({ name, ...measured });
          console.error(`measured: ${name}`);
        }
      } finally {
        await service.stop();
      }
    }
    report(rows);
    if (!only || VIEW_COUNTING.includes(only)) {
      await compareViewCounting(common, databaseUrl);
    }
  } finally {
    await reference?.stop();
    redis.disconnect();
    await Promise.all([postgres.destroy(), redisServer.destroy()]);
  }
}

const VIEW_COUNTING = 'view counting on and off';

/**
 * The cached `GET /products/:id` on two services, one counting views for trending and one not
 * (`TRENDING_ENABLED=false`), in alternating rounds; and Redis commands per read of each.
 */
async function compareViewCounting(
  common: Record<string, string>,
  databaseUrl: string,
): Promise<void> {
  const on = await startService(dist, common);
  const off = await startService(dist, { ...common, TRENDING_ENABLED: 'false' });
  try {
    // Seeded once a service has applied the migrations (`--only` may have skipped every other one).
    const path = `/products/${await seedProduct(databaseUrl, 'Mug')}`;
    await cached(on, path);
    const service = (server: Server) => ({ url: server.base, pid: server.child.pid! });
    const counting = await countingRounds(
      { on: service(on), off: service(off) },
      path,
      seconds / ROUNDS,
      connections,
    );
    const redisUrl = common.REDIS_URL;
    const commands = {
      on: await redisCommandsPerRead(redisUrl, on.base + path),
      off: await redisCommandsPerRead(redisUrl, off.base + path),
    };
    console.log(`\nGET /products/:id (cache HIT), ${VIEW_COUNTING}, alternating rounds:`);
    console.log(
      '| counting | median req/s | median CPU µs per request | Redis commands per read |',
    );
    console.log('| --- | ---: | ---: | ---: |');
    for (const mode of ['on', 'off'] as const) {
      const { requestsPerSecond, cpuMicrosPerRequest } = counting[mode];
      console.log(
        `| ${mode} | ${Math.round(requestsPerSecond)} | ${cpuMicrosPerRequest.toFixed(1)} | ` +
          `${commands[mode].toFixed(3)} |`,
      );
    }
    const ratio = (pick: (f: Figures) => number): string =>
      (pick(counting.on) / pick(counting.off)).toFixed(3);
    console.log(
      `on / off: req/s ${ratio((f) => f.requestsPerSecond)}, ` +
        `CPU per request ${ratio((f) => f.cpuMicrosPerRequest)}`,
    );
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

function report(rows: Row[]): void {
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
  console.log(
    `\n${dist}: ${seconds} s per scenario in ${ROUNDS} rounds, ${connections} connections\n`,
  );
  console.log(
    '| scenario | req/s | reference req/s | ratio | p50 / p99 ms | peak RSS MiB | answers |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const answers = Object.entries(row.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    console.log(
      `| ${row.name} | ${Math.round(row.requests)} | ${Math.round(row.reference)} | ` +
        `${row.ratio.toFixed(2)}x | ${row.p50} / ${row.p99} | ${mib(row.peakRss)} | ${answers} |`,
    );
  }
  const ratio = (row: Row): number => row.ratio;
  const [single, many] = rows.filter((row) => row.name.includes('through X-Forwarded-For'));
  if (single && many) {
    console.log(`\nmany clients / one client: ${(ratio(many) / ratio(single)).toFixed(2)}`);
  }
  const abusive = rows.find((row) => row.name.includes('past its limit'));
  if (abusive) {
    const rejected = abusive.statuses['429'] ?? 0;
    console.log(
      `abusive client: ${rejected} rejected, ${abusive.redisCommands} Redis commands, ` +
        `${(abusive.redisCommands / Math.max(1, rejected)).toFixed(4)} per rejection`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
