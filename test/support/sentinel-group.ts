import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { releaseAtExit, stopAtExit } from './exit-cleanup';
import { freePort, waitFor } from './ports';
import { RedisSecurity, RedisServer } from './redis-server';

export const MASTER_NAME = 'mymaster';

/** How quickly the Sentinels of a test act: far quicker than a production group. */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;

/**
 * A master, its replica and three Sentinels (`redis-server <conf> --sentinel`) watching it as
 * `mymaster`, quorum 2, each on free loopback ports in temporary folders. With `security`, every
 * server and Sentinel speaks TLS only, the servers' `default` user has `security.password`, and the
 * Sentinels ask for `sentinelPassword`.
 */
export class SentinelGroup {
  private constructor(
    readonly servers: RedisServer[],
    readonly sentinels: SentinelServer[],
  ) {}

  static async start(
    security: RedisSecurity = {},
    sentinelPassword?: string,
  ): Promise<SentinelGroup> {
    // A replica starts syncing at once rather than waiting 5 s for others to join it.
    const replication = [
      '--repl-diskless-sync-delay',
      '0',
      ...(security.tls ? ['--tls-replication', 'yes'] : []),
    ];
    const master = await RedisServer.start(replication, security);
    const replica = await RedisServer.start(
      [...replication, '--replicaof', '127.0.0.1', String(master.port)],
      security,
    );
    const group = new SentinelGroup([master, replica], []);
    await group.replicated(replica);
    group.sentinels.push(
      ...(await Promise.all(
        [1, 2, 3].map(() => SentinelServer.start(master.port, security, sentinelPassword)),
      )),
    );
    await waitFor(() => group.settled(), 20_000, 'the Sentinels to know each other');
    return group;
  }

  /** `REDIS_SENTINELS`. */
  get addresses(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  /** The port of the master as the Sentinels name it now. */
  async masterPort(): Promise<number> {
    for (const sentinel of this.sentinels) {
      const address = await sentinel
        .call<[string, string] | null>('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)
        .catch(() => null);
      if (address) return Number(address[1]);
    }
    throw new Error('No Sentinel names a master');
  }

  /** The server the Sentinels name as master, and the other one. */
  async roles(): Promise<{ master: RedisServer; replica: RedisServer }> {
    const port = await this.masterPort();
    const master = this.servers.find((server) => server.port === port)!;
    return { master, replica: this.servers.find((server) => server !== master)! };
  }

  /** Until `replica` has every write its master has (its link is up and its offset caught up). */
  async replicated(replica: RedisServer): Promise<void> {
    await waitFor(
      async () => {
        const admin = replica.admin({ maxRetriesPerRequest: 0 });
        try {
          const info = await admin.info('replication');
          if (!info.includes('master_link_status:up')) return false;
          const port = Number(/master_port:(\d+)/.exec(info)?.[1]);
          const offset = Number(/slave_repl_offset:(\d+)/.exec(info)?.[1]);
          const master = this.servers.find((server) => server.port === port)!.admin();
          try {
            const masterOffset = Number(
              /master_repl_offset:(\d+)/.exec(await master.info('replication'))?.[1],
            );
            return offset >= masterOffset;
          } finally {
            master.disconnect();
          }
        } finally {
          admin.disconnect();
        }
      },
      20_000,
      `the replica on ${replica.port} to catch up`,
    );
  }

  /** Until every Sentinel counts `server` as a healthy replica, one it could promote. */
  async knownReplica(server: RedisServer): Promise<void> {
    await waitFor(
      async () => {
        const views = await Promise.all(
          this.sentinels.map(async (sentinel) => {
            const replicas = await sentinel.call<string[][]>('SENTINEL', 'REPLICAS', MASTER_NAME);
            return replicas
              .map(fieldsOf)
              .some(
                (replica) =>
                  replica.port === String(server.port) &&
                  replica.flags === 'slave' &&
                  replica['master-link-status'] === 'ok',
              );
          }),
        );
        return views.every(Boolean);
      },
      30_000,
      `the Sentinels to count the replica on ${server.port}`,
    );
  }

  async destroy(): Promise<void> {
    for (const sentinel of this.sentinels) sentinel.destroy();
    await Promise.all(this.servers.map((server) => server.destroy()));
  }

  /** Every Sentinel knows the master, its replica and the two other Sentinels. */
  private async settled(): Promise<boolean> {
    const views = await Promise.all(
      this.sentinels.map(async (sentinel) => {
        const [replicas, others] = await Promise.all([
          sentinel.call<unknown[]>('SENTINEL', 'REPLICAS', MASTER_NAME),
          sentinel.call<unknown[]>('SENTINEL', 'SENTINELS', MASTER_NAME),
        ]);
        return replicas.length === 1 && others.length === 2;
      }),
    );
    return views.every(Boolean);
  }
}

/** One Sentinel process, with its configuration file (which it rewrites) in a temporary folder. */
export class SentinelServer {
  private process?: ChildProcess;
  private client?: Redis;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly security: RedisSecurity,
    private readonly password?: string,
  ) {}

  static async start(
    masterPort: number,
    security: RedisSecurity,
    password?: string,
  ): Promise<SentinelServer> {
    const sentinel = new SentinelServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'sentinel-')),
      security,
      password,
    );
    stopAtExit(sentinel, () => sentinel.kill());
    sentinel.writeConfig(masterPort);
    sentinel.process = spawn('redis-server', [join(sentinel.dir, 'sentinel.conf'), '--sentinel'], {
      stdio: 'ignore',
    });
    await waitFor(
      async () => (await sentinel.call('PING')) === 'PONG',
      10_000,
      `Sentinel on ${sentinel.port}`,
    );
    return sentinel;
  }

  call<T>(...args: [string, ...(string | number)[]]): Promise<T> {
    if (!this.client) {
      const { tls } = this.security;
      this.client = new Redis(this.port, '127.0.0.1', {
        ...(tls ? { tls: { ca: readFileSync(tls.caFile) } } : {}),
        ...(this.password ? { password: this.password } : {}),
        maxRetriesPerRequest: 0,
        enableReadyCheck: false,
      });
      this.client.on('error', () => undefined);
    }
    return this.client.call(...args) as Promise<T>;
  }

  destroy(): void {
    this.kill();
    releaseAtExit(this);
  }

  private writeConfig(masterPort: number): void {
    const { tls, password: masterPassword } = this.security;
    const lines = [
      ...(tls
        ? [...pairs(tls.redisArgs(this.port)), 'tls-replication yes']
        : [`port ${this.port}`]),
      'bind 127.0.0.1',
      `dir ${this.dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
      ...(this.password
        ? [`requirepass ${this.password}`, `sentinel sentinel-pass ${this.password}`]
        : []),
      ...(masterPassword ? [`sentinel auth-pass ${MASTER_NAME} ${masterPassword}`] : []),
    ];
    writeFileSync(join(this.dir, 'sentinel.conf'), `${lines.join('\n')}\n`);
  }

  private kill(): void {
    this.client?.disconnect();
    this.process?.kill('SIGKILL');
    this.process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `['--port', '0', '--tls-port', '7000']` as configuration lines: `port 0`, `tls-port 7000`. */
function pairs(args: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) lines.push(`${args[i].slice(2)} ${args[i + 1]}`);
  return lines;
}

/** `[name, value, name, value, …]`, as Sentinel answers, as an object. */
function fieldsOf(reply: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i < reply.length; i += 2) fields[reply[i]] = reply[i + 1];
  return fields;
}
