import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { stopPostgresIn } from './support/postgres-server';

const root = resolve(__dirname, '..');

/** True when a new TCP connection to the loopback port is refused. */
const refused = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });

/**
 * A test process that starts its servers the way test files do, then an app that fails to boot
 * (an invalid environment), and dies of it without any clean-up of its own.
 */
const FAILING_TEST = `
  const { RedisServer } = require('./test/support/redis-server');
  const { PostgresServer } = require('./test/support/postgres-server');
  const { startInstance } = require('./test/support/app-instance');
  (async () => {
    const [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
    console.log(JSON.stringify({ redis: [redis.port, redis.dir], postgres: [postgres.port, postgres.dir] }));
    await startInstance({ REDIS_URL: redis.url, DATABASE_URL: postgres.url(), PORT: 'not-a-port' });
  })();
`;

describe('The e2e harness (e2e)', () => {
  let started: { redis: [number, string]; postgres: [number, string] } | undefined;

  afterAll(() => {
    // Whatever the outcome, leave nothing behind.
    if (!started) return;
    try {
      execFileSync('redis-cli', ['-p', String(started.redis[0]), 'shutdown', 'nosave'], {
        stdio: 'ignore',
      });
    } catch {
      // stopped, as it should be
    }
    stopPostgresIn(started.postgres[1]);
    rmSync(started.redis[1], { recursive: true, force: true });
  });

  it('stops the Redis and PostgreSQL it started when an app fails to boot and the test process dies', async () => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', FAILING_TEST],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));

    expect(code).not.toBe(0);
    expect(output).toContain('PORT');
    started = JSON.parse(
      output.split('\n').find((line) => line.startsWith('{'))!,
    ) as typeof started;
    expect(await refused(started!.redis[0])).toBe(true);
    expect(await refused(started!.postgres[0])).toBe(true);
    expect(existsSync(started!.redis[1])).toBe(false);
    expect(existsSync(started!.postgres[1])).toBe(false);
  });
});
