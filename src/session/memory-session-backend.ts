import type { Session } from 'fastify';
import { SessionBackend } from './session-backend';
import { SessionLifetime } from './session-lifetime';

interface Entry {
  json: string;
  userId?: string;
  endsAt?: number;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The embedded mode's in-process store. Hand-written because @fastify/session's MemoryStore never
 * expires entries (it grows without bound) and keeps live objects instead of copies.
 */
export class MemorySessionBackend extends SessionBackend {
  private readonly sessions = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly lifetime: SessionLifetime) {
    super();
    const sweepMs = Math.min(lifetime.idleSeconds * 1000, SWEEP_INTERVAL_MS);
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  isAvailable(): boolean {
    return true;
  }

  get(sessionId: string): Promise<Session | null> {
    const entry = this.live(sessionId);
    return Promise.resolve(entry ? (JSON.parse(entry.json) as Session) : null);
  }

  save(sessionId: string, session: Session): Promise<void> {
    const { userId, endsAt } = session;
    this.sessions.set(sessionId, {
      json: JSON.stringify(session),
      userId,
      endsAt,
      expiresAt: this.lifetime.expiresAt(endsAt),
    });
    if (userId) this.userSessions(userId).add(sessionId);
    return Promise.resolve();
  }

  touch(sessionId: string): Promise<void> {
    const entry = this.live(sessionId);
    if (entry) entry.expiresAt = this.lifetime.expiresAt(entry.endsAt);
    return Promise.resolve();
  }

  destroy(sessionId: string): Promise<void> {
    this.remove(sessionId);
    return Promise.resolve();
  }

  destroyAllOf(userId: string): Promise<number> {
    const ids = [...(this.byUser.get(userId) ?? [])];
    ids.forEach((id) => this.remove(id));
    return Promise.resolve(ids.length);
  }

  override close(): void {
    clearInterval(this.sweeper);
  }

  private live(sessionId: string): Entry | undefined {
    const entry = this.sessions.get(sessionId);
    if (entry && entry.expiresAt <= Date.now()) {
      this.remove(sessionId);
      return undefined;
    }
    return entry;
  }

  private remove(sessionId: string): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    this.sessions.delete(sessionId);
    if (!entry.userId) return;
    const ids = this.byUser.get(entry.userId);
    ids?.delete(sessionId);
    if (ids?.size === 0) this.byUser.delete(entry.userId);
  }

  private userSessions(userId: string): Set<string> {
    let ids = this.byUser.get(userId);
    if (!ids) this.byUser.set(userId, (ids = new Set()));
    return ids;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.sessions) if (entry.expiresAt <= now) this.remove(id);
  }
}
