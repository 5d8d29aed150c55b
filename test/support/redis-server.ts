import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { releaseAtExit, stopAtExit } from './exit-cleanup';
import { freePort, waitFor } from './ports';

/** A real redis-server on a free loopback port, in a temporary folder that `destroy()` removes. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'redis-')),
      extraArgs,
    );
    stopAtExit(server, () => server.kill());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
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
      execFileSync('redis-cli', ['-p', String(this.port), 'shutdown', 'save'], { stdio: 'ignore' });
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
    const client = new Redis(this.port, '127.0.0.1', {
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
  private constructor(private readonly servers: RedisServer[]) {}

  static async start(): Promise<RedisCluster> {
    const servers = await Promise.all(
      Array.from({ length: 6 }, () =>
        RedisServer.start(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000']),
      ),
    );
    execFileSync(
      'redis-cli',
      [
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
      const info = execFileSync('redis-cli', ['-p', String(s.port), 'cluster', 'info']).toString();
      return info.includes('cluster_state:ok');
    });
    return Promise.resolve(ready);
  }
}
