import autocannon from 'autocannon';
import { ChildProcess, fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '../test/support/ports';
import { PostgresServer } from '../test/support/postgres-server';
import { RedisServer } from '../test/support/redis-server';

/**
 * Loads the built service (dist/main.js) with autocannon on real PostgreSQL and Redis started here,
 * and prints each scenario's throughput as a ratio of a bare node:http + one ioredis GET server
 * measured in the same run. Usage: npm run build && npm run bench [-- <seconds> <connections>]
 */
const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);

interface Result {
  name: string;
  requests: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(name: string, url: string): Promise<Result> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return {
    name,
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

function startService(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function startReference(port: number, redisUrl: string, key: string): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'reference-server.ts'), [String(port), redisUrl, key], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  return new Promise((resolve) => child.once('message', () => resolve(child)));
}

async function seedProduct(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO products (name, description, category, price, stock)
     VALUES ('Espresso cup', 'Porcelain, 80 ml', 'kitchen', 12.5, 40) RETURNING id`,
  );
  await client.end();
  return rows[0].id;
}

async function main(): Promise<void> {
  const [postgres, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  const children: ChildProcess[] = [];
  try {
    const databaseUrl = await postgres.createDatabase('bench');
    const port = await freePort();
    const service = startService({
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      THROTTLE_LIMIT: '1000000000',
      LOG_LEVEL: 'log', // as production runs: every request writes its access line
      INVENTORY_REPORT_SCHEDULE: 'false',
    });
    children.push(service);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health`)).ok, 30_000, 'the service');

    const id = await seedProduct(databaseUrl);
    const productUrl = `${base}/products/${id}`;
    const body = await (await fetch(productUrl)).text();
    const cached = await fetch(productUrl);
    if (cached.headers.get('x-cache') !== 'HIT') throw new Error('the product read was not cached');

    const client = new Redis(redis.url);
    await client.set('bench:reference', body);
    client.disconnect();
    const referencePort = await freePort();
    const reference = await startReference(referencePort, redis.url, 'bench:reference');
    children.push(reference);

    const results = [
      await load('reference: node:http + one ioredis GET', `http://127.0.0.1:${referencePort}/`),
      await load('GET /products/:id (cache HIT)', productUrl),
      await load('GET /products?category=kitchen (cache HIT)', `${base}/products?category=kitchen`),
      await load('GET /health (database + Redis ping)', `${base}/health`),
    ];
    const reference0 = results[0].requests;
    console.log(`\n${seconds}s per scenario, ${connections} connections\n`);
    console.log('| scenario | req/s | ratio | p50 ms | p99 ms | non-2xx |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      const ratio = (r.requests / reference0).toFixed(2);
      console.log(
        `| ${r.name} | ${Math.round(r.requests)} | ${ratio}x | ${r.p50} | ${r.p99} | ${r.non2xx} |`,
      );
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all([postgres.destroy(), redis.destroy()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
