import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, RedisOptions } from 'ioredis';
import { releaseAtExit, stopAtExit } from './exit-cleanup';
import { freePort, waitFor } from './ports';
import type { TlsCertificates } from './tls-certificates';

/**
 * How a server is reached: `tls` serves TLS only, with certificates signed by its CA; `password` is
 * the `default` user's (`requirepass`), which replicas and Cluster nodes also use to talk to each other.
 */
export interface RedisSecurity {
  tls?: TlsCertificates;
  password?: string;
}

/** The name of the tests' own administrator connections in `CLIENT LIST`. */
export const ADMIN_CONNECTION = 'test-admin';

/** A real redis-server on a free loopback port, in a temporary folder that `destroy()` removes. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraArgs: string[],
    readonly security: RedisSecurity,
  ) {}

  static async start(extraArgs: string[] = [], security: RedisSecurity = {}): Promise<RedisServer> {
    const server = new RedisServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'redis-')),
      extraArgs,
      security,
    );
    stopAtExit(server, () => server.kill());
    await server.start();
    return server;
  }

  get url(): string {
    return `${this.security.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  /** The process id, to pause (SIGSTOP) or crash (SIGKILL) the server. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** A client as the `default` user (an administrator), over TLS when the server speaks it. */
  admin(options: RedisOptions = {}): Redis {
    const { tls, password } = this.security;
    return new Redis(this.port, '127.0.0.1', {
      ...(tls ? { tls: { ca: readFileSync(tls.caFile) } } : {}),
      ...(password ? { password } : {}),
      connectionName: ADMIN_CONNECTION,
      ...options,
    });
  }

  /** `redis-cli` arguments that reach this server as its administrator. */
  get cliArgs(): string[] {
    return ['-p', String(this.port), ...cliSecurityArgs(this.security)];
  }

  async start(): Promise<void> {
    const { tls, password } = this.security;
    const listen = tls ? tls.redisArgs(this.port) : ['--port', String(this.port)];
    const auth = password ? ['--requirepass', password, '--masterauth', password] : [];
    this.process = spawn(
      'redis-server',
      [
        ...listen,
        ...auth,
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => this.ping(), 10_000, `redis-server on ${this.port}`);
  }

  /** Stops the server, saving its data first so that `start()` brings it back as it was. */
  async stop(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    try {
      execFileSync('redis-cli', [...this.cliArgs, 'shutdown', 'save'], { stdio: 'ignore' });
    } catch {
      proc.kill('SIGKILL');
    }
    await exited;
    this.process = undefined;
  }

  destroy(): Promise<void> {
    this.kill();
    releaseAtExit(this);
    return Promise.resolve();
  }

  private kill(): void {
    this.process?.kill('SIGKILL');
    this.process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<boolean> {
    const client = this.admin({
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }
}

/** A Redis Cluster of three masters with one replica each, as `REDIS_CLUSTER_NODES` wants it. */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  static async start(security: RedisSecurity = {}): Promise<RedisCluster> {
    const tlsCluster = security.tls ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : [];
    const servers = await Promise.all(
      Array.from({ length: 6 }, () =>
        RedisServer.start(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-node-timeout',
            '2000',
            // A replica (a failed master back, say) syncs at once rather than 5 s later.
            '--repl-diskless-sync-delay',
            '0',
            ...tlsCluster,
          ],
          security,
        ),
      ),
    );
    execFileSync(
      'redis-cli',
      [
        ...cliSecurityArgs(security),
        '--cluster',
        'create',
        ...servers.map((s) => `127.0.0.1:${s.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { stdio: 'ignore' },
    );
    const cluster = new RedisCluster(servers);
    await waitFor(() => cluster.isReady(), 20_000, 'the Redis Cluster to be ready');
    return cluster;
  }

  get nodes(): string {
    return this.servers.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The nodes as `REDIS_CLUSTER_NODES` gives them to the client factory. */
  get endpoints(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.destroy()));
  }

  private isReady(): Promise<boolean> {
    const ready = this.servers.every((s) => {
      const info = execFileSync('redis-cli', [...s.cliArgs, 'cluster', 'info']).toString();
      return info.includes('cluster_state:ok');
    });
    return Promise.resolve(ready);
  }
}

/** `redis-cli` arguments that speak TLS and sign in as the `default` user, as `security` needs. */
function cliSecurityArgs({ tls, password }: RedisSecurity): string[] {
  return [...(tls ? tls.cliArgs : []), ...(password ? ['--no-auth-warning', '-a', password] : [])];
}
