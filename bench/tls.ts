import { PostgresServer } from '../test/support/postgres-server';
import { freePort } from '../test/support/ports';
import { RedisServer } from '../test/support/redis-server';
import { TlsCertificates } from '../test/support/tls-certificates';
import { productionEnv, seedProduct } from './fixtures';
import { startService, type Server } from './processes';
import { countingRounds, type Figures } from './view-counting';

/**
 * What TLS to Redis costs a cached read: two services of one build on one PostgreSQL and one
 * redis-server that serves both plain TCP and TLS (a private CA made here), one with `redis://`, one
 * with `rediss://` and `REDIS_TLS_CA_FILE`; the cached `GET /products/:id` loads them in alternating
 * rounds after a warm-up of each. Prints median req/s and CPU time per request of each service.
 *
 * Usage: npm run build && npm run bench:tls [-- <seconds per round> <connections>] [--dist=<build>]
 */
const flags = process.argv.slice(2);
const [secondsArg, connectionsArg] = flags.filter((arg) => !arg.startsWith('--'));
const seconds = Number(secondsArg ?? 4);
const connections = Number(connectionsArg ?? 50);
const dist = flags.find((arg) => arg.startsWith('--dist='))?.slice('--dist='.length) ?? 'dist';
const ROUNDS = 6;

async function main(): Promise<void> {
  const certificates = TlsCertificates.create();
  const tlsPort = await freePort();
  const [postgres, redis] = await Promise.all([
    PostgresServer.start(),
    RedisServer.start(certificates.tlsPortArgs(tlsPort)),
  ]);
  const servers: Server[] = [];
  try {
    const databaseUrl = await postgres.createDatabase('bench');
    const plain = productionEnv(databaseUrl, redis.url);
    servers.push(await startService(dist, plain));
    servers.push(
      await startService(dist, {
        ...plain,
        REDIS_URL: `rediss://127.0.0.1:${tlsPort}`,
        REDIS_TLS_CA_FILE: certificates.caFile,
      }),
    );
    const [tcp, tls] = servers;
    const path = `/products/${await seedProduct(databaseUrl, 'Espresso cup')}`;
    for (const server of servers) await (await fetch(server.base + path)).text();
    const service = (server: Server) => ({ url: server.base, pid: server.child.pid! });
    const figures = await countingRounds(
      { on: service(tls), off: service(tcp) },
      path,
      seconds,
      connections,
      ROUNDS,
    );
    console.log(
      `\nGET /products/:id (cache HIT), ${ROUNDS} alternating rounds of ${seconds} s, ` +
        `${connections} connections:`,
    );
    console.log('| Redis connection | median req/s | median CPU µs per request |');
    console.log('| --- | ---: | ---: |');
    for (const [name, mode] of [
      ['plain TCP (redis://)', 'off'],
      ['TLS (rediss://)', 'on'],
    ] as const) {
      const { requestsPerSecond, cpuMicrosPerRequest } = figures[mode];
      console.log(
        `| ${name} | ${Math.round(requestsPerSecond)} | ${cpuMicrosPerRequest.toFixed(1)} |`,
      );
    }
    const ratio = (pick: (f: Figures) => number): string =>
      (pick(figures.on) / pick(figures.off)).toFixed(3);
    console.log(
      `TLS / plain: req/s ${ratio((f) => f.requestsPerSecond)}, ` +
        `CPU per request ${ratio((f) => f.cpuMicrosPerRequest)}`,
    );
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all([postgres.destroy(), redis.destroy()]);
    certificates.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
