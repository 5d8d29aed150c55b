import type { Session } from 'fastify';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * expires entries (it grows without bound) and keeps live objects instead of copies. With a `file`,
 * the live sessions are written there when the store closes (a graceful shutdown: Ctrl-C, SIGTERM,
 * a `start:dev` reload) and read back when the next process starts, so that they survive restarts.
 */
export class MemorySessionBackend extends SessionBackend {
  private readonly sessions = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly lifetime: SessionLifetime,
    private readonly file?: string,
  ) {
    super();
    const sweepMs = Math.min(lifetime.idleSeconds * 1000, SWEEP_INTERVAL_MS);
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
    if (file) this.restore(file);
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
    if (this.file) this.persist(this.file);
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

  /** Written aside and renamed into place, so that a crash mid-write leaves the previous file whole. */
  private persist(file: string): void {
    this.sweep();
    writeFileSync(`${file}.tmp`, JSON.stringify([...this.sessions]), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** A missing or unreadable file starts the store empty: at worst, everyone signs in again. */
  private restore(file: string): void {
    let saved: [string, Entry][];
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as [string, Entry][];
    } catch {
      return;
    }
    const now = Date.now();
    for (const [id, entry] of saved) {
      if (entry.expiresAt <= now) continue;
      this.sessions.set(id, entry);
      if (entry.userId) this.userSessions(entry.userId).add(id);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.sessions) if (entry.expiresAt <= now) this.remove(id);
  }
}
