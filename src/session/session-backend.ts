import type { Session } from 'fastify';

/** Thrown when the session store cannot be reached. */
export class SessionStoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The session store (Redis) is unreachable', { cause });
    this.name = 'SessionStoreUnavailableError';
  }
}

/**
 * Where sessions live: Redis, or in-process memory in the embedded mode. Every session carries a
 * sliding idle TTL that never reaches past its `endsAt`, a session past its `endsAt` reads as gone,
 * and each user's sessions are indexed so that they can all be ended at once.
 */
export abstract class SessionBackend {
  /** False when a call would certainly fail right now (Redis disconnected), so callers can fail fast. */
  abstract isAvailable(): boolean;

  abstract get(sessionId: string): Promise<Session | null>;

  /** Writes a session with a fresh TTL and records it in its user's index. */
  abstract save(sessionId: string, session: Session): Promise<void>;

  /** Restarts the idle TTL of an existing session; never brings back a session that is gone. */
  abstract touch(sessionId: string, session: Session): Promise<void>;

  abstract destroy(sessionId: string, userId?: string): Promise<void>;

  /** Ends every session of a user; answers how many were ended. */
  abstract destroyAllOf(userId: string): Promise<number>;

  /** Releases timers; the shared Redis client is closed by its own module. */
  close(): void {}
}
