import type { Session } from 'fastify';
import { RedisStore } from 'fastify-session-redis-store';
import type { RedisClient } from '../redis/redis.constants';
import { SessionBackend, SessionStoreUnavailableError } from './session-backend';

type Callback<T> = (error?: unknown, value?: T) => void;

/**
 * Sessions in Redis through `fastify-session-redis-store` (`<prefix>:session:<id>`, with an expiry),
 * plus a sorted set per user (`<prefix>:session-index:<userId>`: session ids scored by their expiry
 * time) so that deleting a user can end all of that user's sessions without scanning the keyspace.
 */
export class RedisSessionBackend extends SessionBackend {
  private readonly store: RedisStore;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    ttlSeconds: number,
  ) {
    super();
    this.ttlMs = ttlSeconds * 1000;
    this.store = new RedisStore({
      client: redis,
      prefix: `${keyPrefix}:session:`,
      ttl: ttlSeconds,
    });
  }

  isAvailable(): boolean {
    return this.redis.status === 'ready';
  }

  async get(sessionId: string): Promise<Session | null> {
    const session = await this.run<Session>((cb) => this.store.get(sessionId, cb));
    return session ?? null;
  }

  async save(sessionId: string, session: Session): Promise<void> {
    await this.run((cb) => this.store.set(sessionId, session, cb));
    if (session.userId) await this.index(session.userId, sessionId, false);
  }

  async touch(sessionId: string, userId: string): Promise<void> {
    await Promise.all([
      this.run((cb) => this.store.touch(sessionId, { cookie: { originalMaxAge: null } }, cb)),
      this.index(userId, sessionId, true),
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
  private async index(userId: string, sessionId: string, existingOnly: boolean): Promise<void> {
    const key = this.indexKey(userId);
    const now = Date.now();
    const expiresAt = now + this.ttlMs;
    const tx = this.redis.multi();
    if (existingOnly) tx.zadd(key, 'XX', expiresAt, sessionId);
    else tx.zadd(key, expiresAt, sessionId);
    tx.zremrangebyscore(key, '-inf', now).pexpire(key, this.ttlMs);
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
