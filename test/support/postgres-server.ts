import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { releaseAtExit, stopAtExit } from './exit-cleanup';
import { freePort, waitFor } from './ports';

/** Finds `initdb` and `pg_ctl`: on the PATH, or in Debian's /usr/lib/postgresql/<version>/bin. */
function postgresBin(name: string): string {
  const onPath = spawnSync('which', [name]).stdout?.toString().trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const candidate = join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found: install PostgreSQL (apt-get install -y postgresql)`);
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user. */
function run(bin: string, args: string[]): void {
  const [command, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
  execFileSync(command, argv, { stdio: 'pipe' });
}

/** Stops at once the cluster that `PostgresServer` keeps in `dir`, if it runs, and removes `dir`. */
export function stopPostgresIn(dir: string): void {
  try {
    run(postgresBin('pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  } catch {
    // never started, or already stopped
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A real PostgreSQL cluster on a free loopback port, in a temporary folder that `destroy()` removes. */
export class PostgresServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'pg-'));
    if (isRoot) execFileSync('chown', ['postgres:postgres', dir]);
    const server = new PostgresServer(await freePort(), dir);
    stopAtExit(server, () => server.kill());
    run(postgresBin('initdb'), [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await server.start();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
    run(postgresBin('pg_ctl'), [
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
    await waitFor(
      () => this.query('SELECT 1').then(() => true),
      15_000,
      `postgres on ${this.port}`,
    );
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    run(postgresBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
    return Promise.resolve();
  }

  /** Creates a fresh, empty database and answers its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE "${name}"`);
    return this.url(name);
  }

  destroy(): Promise<void> {
    this.kill();
    releaseAtExit(this);
    return Promise.resolve();
  }

  private kill(): void {
    stopPostgresIn(this.dir);
  }

  private async query(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
