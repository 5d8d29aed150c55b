import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../common/user-facing-error';

const LOCK_FILE = 'embedded.pid';

/** Thrown when another live process serves the embedded database of a data folder. */
export class DataDirInUseError extends UserFacingError {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (a running \`npm start\`?): ` +
        'stop that process first, or set DATABASE_URL to a PostgreSQL server.',
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Marks a data folder as served by this process: `<dataDir>/embedded.pid` holds its pid while the
 * embedded database runs. PGlite opens its files without a lock of its own, and a second process on
 * the same folder aborts inside its WebAssembly runtime; this file lets every entry point (the
 * server, `seed`, `user:role`) refuse at once with one sentence instead. A file left behind by a
 * process that died is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  /** Answers nothing when the folder is free (or only this process holds it), else throws. */
  static assertFree(dataDir: string): void {
    const holder = DataDirLock.holder(join(dataDir, LOCK_FILE));
    if (holder !== undefined && holder !== process.pid)
      throw new DataDirInUseError(dataDir, holder);
  }

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, LOCK_FILE);
    // Written aside and linked into place, so that the file never exists without its pid.
    const draft = `${file}.${process.pid}`;
    writeFileSync(draft, String(process.pid));
    try {
      for (;;) {
        try {
          linkSync(draft, file);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          const holder = DataDirLock.holder(file);
          if (holder === process.pid) break;
          if (holder !== undefined) throw new DataDirInUseError(dataDir, holder);
          rmSync(file, { force: true });
        }
      }
    } finally {
      rmSync(draft, { force: true });
    }
    const lock = new DataDirLock(file);
    process.once('exit', lock.release);
    return lock;
  }

  readonly release = (): void => {
    process.removeListener('exit', this.release);
    if (DataDirLock.holder(this.file) === process.pid) rmSync(this.file, { force: true });
  };

  /** The live process named in the file, if any. */
  private static holder(file: string): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      return undefined;
    }
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
