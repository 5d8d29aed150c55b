/**
 * Whatever a test process started (servers, service processes, temporary folders) is stopped when
 * that process exits, however it exits: a failed boot, a thrown `beforeAll`, jest's `forceExit`, or
 * Ctrl-C. `destroy()` methods release their entry when a test cleans up as it should. The stops run
 * in the `exit` event, so they are synchronous.
 */
const stops = new Map<object, () => void>();
let installed = false;

export function stopAtExit(owner: object, stop: () => void): void {
  install();
  stops.set(owner, stop);
}

export function releaseAtExit(owner: object): void {
  stops.delete(owner);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const stop of stops.values()) {
      try {
        stop();
      } catch {
        // Already gone; the others must still stop.
      }
    }
    stops.clear();
  });
  // A signal otherwise ends the process without the `exit` event.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}
