import { setTimeout as sleep } from 'node:timers/promises';

/** The longest the exit waits for the last spans to leave: a hung collector must not hold it. */
const FLUSH_LIMIT_MS = 2000;

let shutdown: (() => Promise<void>) | undefined;

/** Called by the SDK's start-up: how to send the spans still queued and stop. */
export function onTracingShutdown(stop: () => Promise<void>): void {
  shutdown = stop;
}

/** Sends the spans still queued, if tracing is on; resolves after at most two seconds. */
export async function shutdownTracing(): Promise<void> {
  if (!shutdown) return;
  const stop = shutdown;
  shutdown = undefined;
  const limit = new AbortController();
  await Promise.race([
    stop().catch(() => undefined),
    sleep(FLUSH_LIMIT_MS, undefined, { signal: limit.signal, ref: false }).catch(() => undefined),
  ]);
  limit.abort();
}
