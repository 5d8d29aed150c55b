import { ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../test/support/ports';

/** A running HTTP server child: the service or the reference. */
export interface Server {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The resident set size of a process now, in bytes (Linux `/proc`; 0 elsewhere). */
export function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** The flags `npm start` and the container image run the service with. */
const SERVICE_NODE_FLAGS = ['--max-semi-space-size=16'];

/**
 * Starts a build of the service (`<dist>/main.js`) as production runs it and waits for `/health`.
 * Rejects when the process exits first (a configuration it refuses, for instance).
 */
export async function startService(dist: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(dist, 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the service exited (${code}): ${stderr}`))),
  );
  await Promise.race([
    waitFor(async () => (await fetch(`${base}/health`)).ok, 30_000, 'the service'),
    exited,
  ]);
  child.stderr?.pipe(process.stderr);
  return { base, child, stop: stopper(child) };
}

/** The reference server (`reference-server.ts`) answering with the value of `key`. */
export async function startReference(redisUrl: string, key: string): Promise<Server> {
  const port = await freePort();
  const child = fork(join(__dirname, 'reference-server.ts'), [String(port), redisUrl, key], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  return { base: `http://127.0.0.1:${port}`, child, stop: stopper(child) };
}

/** The collector stand-in (`otlp-sink.ts`): accepts OTLP exports and drops them. */
export async function startOtlpSink(): Promise<Server> {
  const port = await freePort();
  const child = fork(join(__dirname, 'otlp-sink.ts'), [String(port)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  return { base: `http://127.0.0.1:${port}`, child, stop: stopper(child) };
}
