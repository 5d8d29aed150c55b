import type { Session } from 'fastify';
import { RedisStore } from 'fastify-session-redis-store';
import type { RedisClient } from '../redis/redis.constants';
import { SessionBackend, SessionStoreUnavailableError } from './session-backend';
import { SessionLifetime } from './session-lifetime';

type Callback<T> = (error?: unknown, value?: T) => void;

/**
 * Sessions in Redis through `fastify-session-redis-store` (`<prefix>:session:<id>`, with an expiry),
 * plus a sorted set per user (`<prefix>:session-index:<userId>`: session ids scored by their expiry
 * time) so that deleting a user can end all of that user's sessions without scanning the keyspace.
 * A session key's TTL is the idle TTL cut short by the session's `endsAt`, so Redis drops it at its
 * absolute end even while it is in use.
 */
export class RedisSessionBackend extends SessionBackend {
  private readonly store: RedisStore;

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly lifetime: SessionLifetime,
  ) {
    super();
    this.store = new RedisStore({
      client: redis,
      prefix: `${keyPrefix}:session:`,
      // A TTL of 0 or less makes the store delete the session (set) or Redis expire it (touch).
      ttl: (session) => lifetime.ttlSeconds((session as Session).endsAt),
    });
  }

  isAvailable(): boolean {
    return this.redis.status === 'ready';
  }

  async get(sessionId: string): Promise<Session | null> {
    const session = await this.run<Session>((cb) => this.store.get(sessionId, cb));
    // The key outlives `endsAt` by less than the second its TTL was rounded up to.
    return session && !this.lifetime.isOver(session.endsAt) ? session : null;
  }

  async save(sessionId: string, session: Session): Promise<void> {
    await this.run((cb) => this.store.set(sessionId, session, cb));
    if (session.userId) await this.index(session, sessionId, false);
  }

  async touch(sessionId: string, session: Session): Promise<void> {
    await Promise.all([
      this.run((cb) => this.store.touch(sessionId, session, cb)),
      this.index(session, sessionId, true),
    ]);
  }

  async destroy(sessionId: string, userId?: string): Promise<void> {
    await this.run((cb) => this.store.destroy(sessionId, cb));
    if (userId) await this.guard(() => this.redis.zrem(this.indexKey(userId), sessionId));
  }

  async destroyAllOf(userId: string): Promise<number> {
    const key = this.indexKey(userId);
    const ids = await this.guard(() => this.redis.zrange(key, 0, -1));
    if (ids.length === 0) return 0;
    // One DEL per session: the session keys live in different hash slots on a cluster.
    const deleted = await Promise.all(
      ids.map((id) => this.guard(() => this.redis.del(`${this.keyPrefix}:session:${id}`))),
    );
    await this.guard(() => this.redis.zrem(key, ...ids));
    return deleted.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Records a session in its user's index, drops entries whose sessions have expired and keeps the
   * index alive as long as its newest session. `existingOnly` refreshes an entry without re-adding
   * one that a logout or a user deletion removed meanwhile.
   */
  private async index(session: Session, sessionId: string, existingOnly: boolean): Promise<void> {
    if (!session.userId) return;
    const key = this.indexKey(session.userId);
    const now = Date.now();
    const expiresAt = this.lifetime.expiresAt(session.endsAt);
    const tx = this.redis.multi();
    if (existingOnly) tx.zadd(key, 'XX', expiresAt, sessionId);
    else tx.zadd(key, expiresAt, sessionId);
    tx.zremrangebyscore(key, '-inf', now).pexpire(key, this.lifetime.idleSeconds * 1000);
    await this.guard(() => tx.exec());
  }

  private indexKey(userId: string): string {
    return `${this.keyPrefix}:session-index:${userId}`;
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    if (!this.isAvailable()) throw new SessionStoreUnavailableError();
    try {
      return await command();
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }

  private run<T = void>(call: (cb: Callback<T>) => unknown): Promise<T | undefined> {
    return this.guard(
      () =>
        new Promise<T | undefined>((resolve, reject) => {
          call((error, value) =>
            error
              ? reject(error instanceof Error ? error : new SessionStoreUnavailableError(error))
              : resolve(value),
          );
        }),
    );
  }
}
