import { Logger } from '@nestjs/common';
import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../common/free-port';
import { DataDirLock } from './data-dir-lock';

// PGlite's contrib entry points ship ESM-only typings, which TypeScript will not import from a
// CommonJS module; their CommonJS build is there and is what Node loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/**
 * The embedded default: an in-process PGlite with its data under `<dataDir>/pglite`, served on a
 * loopback port so that the app reaches it through the same `pg` driver and migrations as a real
 * PostgreSQL. One process at a time: the folder is locked while it runs (see {@link DataDirLock}).
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lock: DataDirLock | null,
    readonly url: string,
  ) {}

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    const lock = DataDirLock.acquire(dataDir);
    const embedded = await EmbeddedPostgres.serve({ dataDir: dir }, maxConnections, lock);
    embedded.logger.warn(
      `DATABASE_URL is unset: using embedded PGlite in ${join(dataDir, 'pglite')}. ` +
        'This mode serves ONE instance only.',
    );
    return embedded;
  }

  /**
   * A throw-away database in memory, for comparisons that must not touch any data folder. A new
   * cluster takes PGlite seconds to initialise; with `snapshot` (a file path) the first one is kept
   * there as a tarball, and later ones start from it in a fraction of that time.
   */
  static async inMemory(maxConnections: number, snapshot?: string): Promise<EmbeddedPostgres> {
    if (!snapshot) return EmbeddedPostgres.serve({ dataDir: 'memory://' }, maxConnections, null);
    if (existsSync(snapshot)) {
      const loadDataDir = new Blob([readFileSync(snapshot)]);
      return EmbeddedPostgres.serve({ loadDataDir }, maxConnections, null);
    }
    const fresh = await PGlite.create({ extensions: { pg_trgm } });
    const tarball = Buffer.from(await (await fresh.dumpDataDir('none')).arrayBuffer());
    await fresh.close();
    mkdirSync(dirname(snapshot), { recursive: true });
    // Written aside and renamed, so that a concurrent run never reads half a tarball.
    writeFileSync(`${snapshot}.${process.pid}`, tarball);
    renameSync(`${snapshot}.${process.pid}`, snapshot);
    return EmbeddedPostgres.serve({ loadDataDir: new Blob([tarball]) }, maxConnections, null);
  }

  private static async serve(
    storage: { dataDir: string } | { loadDataDir: Blob },
    maxConnections: number,
    lock: DataDirLock | null,
  ): Promise<EmbeddedPostgres> {
    let db: PGlite | undefined;
    let server: PGLiteSocketServer;
    let port: number;
    try {
      db = await PGlite.create({ ...storage, extensions: { pg_trgm } });
      port = await freePort();
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
      await server.start();
    } catch (error) {
      await db?.close();
      lock?.release();
      throw error;
    }
    return new EmbeddedPostgres(db, server, lock, `postgres://postgres@127.0.0.1:${port}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    this.lock?.release();
  }
}
