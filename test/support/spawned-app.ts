import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { releaseAtExit, stopAtExit } from './exit-cleanup';
import { freePort } from './ports';

const root = resolve(__dirname, '..', '..');
const CLONED = [
  'src',
  'scripts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  '.swcrc',
  '.prettierrc',
];

/** A copy of the project in a temporary folder, as a fresh clone has it, sharing `node_modules`. */
export class ProjectClone {
  private constructor(readonly dir: string) {}

  /** `extra`: more of the project's files and folders to copy (`test`, `generators`, …). */
  static create(extra: string[] = []): ProjectClone {
    const dir = mkdtempSync(join(tmpdir(), 'clone-'));
    for (const entry of [...CLONED, ...extra]) {
      cpSync(join(root, entry), join(dir, entry), { recursive: true });
    }
    const clone = new ProjectClone(dir);
    stopAtExit(clone, () => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return clone;
  }

  /**
   * Compiles `src` into `dist` as `npm start` does on a fresh clone (`scripts/build-if-needed.js`:
   * transpiled, not type-checked; the type check is a check of its own).
   */
  build(): this {
    execFileSync(process.execPath, [join('scripts', 'build-if-needed.js')], {
      cwd: this.dir,
      stdio: 'pipe',
    });
    return this;
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
    releaseAtExit(this);
  }

  /** `node dist/main.js` with exactly `env` (plus PATH and HOME), nothing inherited. */
  run(env: Record<string, string>): SpawnedApp {
    return SpawnedApp.spawn(process.execPath, ['dist/main.js'], this.dir, env);
  }

  /** `run`, with the process's open-file limit (`ulimit -n`) lowered to `limit`. */
  runWithOpenFileLimit(env: Record<string, string>, limit: number): SpawnedApp {
    const script = `ulimit -n ${limit} && exec "$0" dist/main.js`;
    return SpawnedApp.spawn('sh', ['-c', script, process.execPath], this.dir, env);
  }

  /** `npm run <script> [-- args]` in the clone. */
  npmRun(script: string, env: Record<string, string>, args: string[] = []): SpawnedApp {
    const rest = args.length > 0 ? ['--', ...args] : [];
    return SpawnedApp.spawn('npm', ['run', '--silent', script, ...rest], this.dir, env);
  }

  /** `npm start`: builds when needed, then `node dist/main.js`. */
  npmStart(env: Record<string, string>): SpawnedApp {
    return SpawnedApp.spawn('npm', ['start'], this.dir, env);
  }
}

/** A service process, its output and its exit. */
export class SpawnedApp {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    stopAtExit(this, () => this.signal('SIGKILL'));
    void this.exited.then(() => releaseAtExit(this));
  }

  static spawn(command: string, args: string[], cwd: string, env: Record<string, string>) {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so that a signal reaches npm's child too
    });
    return new SpawnedApp(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until GET /health on `url` answers at all; fails at once if the process exits. */
  async waitUntilServing(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`exited before serving:\n${this.output}`);
      if (
        await fetch(`${url}/health`).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`not serving on ${url} after ${timeoutMs} ms:\n${this.output}`);
  }

  signal(name: NodeJS.Signals): void {
    if (this.child.pid && this.running) process.kill(-this.child.pid, name);
  }

  async stop(): Promise<number | null> {
    this.signal('SIGTERM');
    return this.exited;
  }
}

export async function freeUrl(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `http://127.0.0.1:${port}` };
}
