import { Extension, PGlite } from '@electric-sql/pglite';
import { dataDir as readyMadeCluster } from '@electric-sql/pglite-prepopulatedfs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { freePort } from '../common/free-port';

// PGlite's contrib entry points ship ESM-only typings, which TypeScript will not import from a
// CommonJS module; their CommonJS build is there and is what Node loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/** What {@link EmbeddedPostgres} starts this worker with: no `dataDir` for a database in memory. */
export interface EmbeddedPostgresWorkerData {
  dataDir?: string;
  maxConnections: number;
}

/**
 * PGlite and its socket server, in a worker thread of the process that uses them: PostgreSQL's start
 * (WebAssembly, seconds) runs while the main thread loads the application, and its queries never
 * hold up the main thread's event loop. Posts `{ port }` when it serves; at any message, stops and
 * posts `'stopped'`.
 *
 * A new cluster starts from the one PGlite's project makes ready for each release
 * (`@electric-sql/pglite-prepopulatedfs`) instead of running initdb, which took most of a fresh
 * clone's first start (bench/README.md).
 */
async function serve({ dataDir, maxConnections }: EmbeddedPostgresWorkerData): Promise<void> {
  const fresh = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
  const db = await PGlite.create({
    dataDir,
    loadDataDir: fresh ? await readyMadeCluster() : undefined,
    extensions: { pg_trgm },
  });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
  await server.start();
  parentPort!.once('message', () => {
    void server
      .stop()
      .then(() => db.close())
      .then(() => parentPort!.postMessage('stopped'));
  });
  parentPort!.postMessage({ port });
}

// A failure is the worker's uncaught error, which the main thread receives as its `error` event.
void serve(workerData as EmbeddedPostgresWorkerData);
