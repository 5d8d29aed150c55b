import { Logger } from '@nestjs/common';
import { Extension, PGlite } from '@electric-sql/pglite';
import { dataDir as readyMadeCluster } from '@electric-sql/pglite-prepopulatedfs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
 *
 * A new cluster starts from the one PGlite's project makes ready for each release
 * (`@electric-sql/pglite-prepopulatedfs`) instead of running initdb, which took most of a fresh
 * clone's first start (bench/README.md).
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
    const fresh = !existsSync(join(dir, 'PG_VERSION'));
    const storage = fresh
      ? { dataDir: dir, loadDataDir: await readyMadeCluster() }
      : { dataDir: dir };
    const embedded = await EmbeddedPostgres.serve(storage, maxConnections, lock);
    embedded.logger.warn(
      `DATABASE_URL is unset: using embedded PGlite in ${join(dataDir, 'pglite')}. ` +
        'This mode serves ONE instance only.',
    );
    return embedded;
  }

  /** A throw-away database in memory, for comparisons that must not touch any data folder. */
  static async inMemory(maxConnections: number): Promise<EmbeddedPostgres> {
    return EmbeddedPostgres.serve({ loadDataDir: await readyMadeCluster() }, maxConnections, null);
  }

  private static async serve(
    storage: { dataDir?: string; loadDataDir?: Blob },
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
