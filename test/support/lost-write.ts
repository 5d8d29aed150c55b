import type { RedisServer } from './redis-server';

/**
 * Runs `write` so that `master` acknowledges it and `replica` never gets it: the replica is paused
 * (SIGSTOP) and its replication link cut before the write, so the write stays in the master's backlog.
 * The replica is left paused: {@link resume} it once the master is out of its way.
 */
export async function writeUnreplicated(
  master: RedisServer,
  replica: RedisServer,
  write: () => Promise<void>,
): Promise<void> {
  const admin = master.admin();
  try {
    if ((await admin.call('WAIT', 1, 5_000)) !== 1) throw new Error('The replica is not in sync');
    process.kill(replica.pid!, 'SIGSTOP');
    await admin.call('CLIENT', 'KILL', 'TYPE', 'replica');
  } finally {
    admin.disconnect();
  }
  await write();
}

export function pause(server: RedisServer): void {
  process.kill(server.pid!, 'SIGSTOP');
}

export function resume(server: RedisServer): void {
  process.kill(server.pid!, 'SIGCONT');
}

/** Ends the server's process at once, as a crash or a power loss would. */
export function crash(server: RedisServer): void {
  process.kill(server.pid!, 'SIGKILL');
}
