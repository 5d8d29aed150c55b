import type { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataDirLock } from './data-dir-lock';
import type { EmbeddedPostgresWorkerData } from './embedded-postgres.worker';

/**
 * The embedded default: a PGlite with its data under `<dataDir>/pglite`, served on a loopback port
 * so that the app reaches it through the same `pg` driver and migrations as a real PostgreSQL. It
 * runs in a worker thread (`embedded-postgres.worker.ts`). One process at a time: the folder is
 * locked while it runs (see {@link DataDirLock}).
 */
export class EmbeddedPostgres {
  private static early: { dataDir: string; started: Promise<EmbeddedPostgres> } | undefined;
  private stopping = false;

  private constructor(
    private readonly worker: Worker,
    private readonly lock: DataDirLock | null,
    readonly url: string,
  ) {
    worker.on('error', (error: Error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('its thread ended')));
  }

  /**
   * Starts the database of `dataDir` before the application's modules load, so that PostgreSQL's
   * start overlaps their second or so of loading; `forService` with the same folder takes it over.
   * A folder in use throws here, at once.
   */
  static startEarly(dataDir: string, poolSize: number): void {
    const started = EmbeddedPostgres.forService(dataDir, poolSize);
    // Handled where `forService` hands it over; until then a failure must not count as unhandled.
    started.catch(() => undefined);
    EmbeddedPostgres.early = { dataDir, started };
  }

  /** The service's database: the one `startEarly` started for `dataDir`, else a new start. */
  static forService(dataDir: string, poolSize: number): Promise<EmbeddedPostgres> {
    const early = EmbeddedPostgres.early;
    if (early?.dataDir === dataDir) {
      EmbeddedPostgres.early = undefined;
      return early.started;
    }
    return EmbeddedPostgres.start(dataDir, poolSize * 2);
  }

  static start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    const lock = DataDirLock.acquire(dataDir);
    return EmbeddedPostgres.serve({ dataDir: dir, maxConnections }, lock).then((embedded) => {
      logger().warn(
        `DATABASE_URL is unset: using embedded PGlite in ${join(dataDir, 'pglite')}. ` +
          'This mode serves ONE instance only.',
      );
      return embedded;
    });
  }

  /** A throw-away database in memory, for comparisons that must not touch any data folder. */
  static inMemory(maxConnections: number): Promise<EmbeddedPostgres> {
    return EmbeddedPostgres.serve({ maxConnections }, null);
  }

  private static serve(
    workerData: EmbeddedPostgresWorkerData,
    lock: DataDirLock | null,
  ): Promise<EmbeddedPostgres> {
    const worker = new Worker(join(__dirname, 'embedded-postgres.worker.js'), { workerData });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        lock?.release();
        reject(error);
      };
      const ended = () => failed(new Error('The embedded PostgreSQL stopped while starting'));
      worker.once('error', failed);
      worker.once('exit', ended);
      worker.once('message', ({ port }: { port: number }) => {
        worker.off('error', failed);
        worker.off('exit', ended);
        resolve(
          new EmbeddedPostgres(worker, lock, `postgres://postgres@127.0.0.1:${port}/postgres`),
        );
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const stopped = new Promise((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stop');
    await stopped;
    await this.worker.terminate();
    this.lock?.release();
  }

  /** The database gone under a running process: nothing it serves can go on. */
  private fail(error: Error): void {
    if (this.stopping) return;
    this.stopping = true;
    logger().fatal(`The embedded PostgreSQL failed: ${error.message}`);
    this.lock?.release();
    process.exit(1);
  }
}

/**
 * Nest's logger, loaded when first needed: the entry point starts the embedded database before the
 * application's modules, Nest's among them, load.
 */
function logger(): Logger {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Logger } = require('@nestjs/common') as typeof import('@nestjs/common');
  return new Logger(EmbeddedPostgres.name);
}
