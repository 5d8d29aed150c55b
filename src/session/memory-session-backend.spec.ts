import type { Session } from 'fastify';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySessionBackend } from './memory-session-backend';
import { SessionLifetime } from './session-lifetime';

const session = (userId?: string, endsAt?: number): Session => ({
  cookie: { originalMaxAge: null },
  userId,
  endsAt,
});

describe(MemorySessionBackend.name, () => {
  let sut: MemorySessionBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    sut = new MemorySessionBackend(new SessionLifetime(1, 3600));
  });

  afterEach(() => {
    sut.close();
    jest.useRealTimers();
  });

  it('answers a copy of what was saved, not the saved object', async () => {
    const saved = session('u1');
    await sut.save('s1', saved);
    const loaded = await sut.get('s1');
    expect(loaded).toEqual({ cookie: { originalMaxAge: null }, userId: 'u1' });
    expect(loaded).not.toBe(saved);
  });

  it('forgets a session idle for longer than the TTL, and keeps one that is touched', async () => {
    await sut.save('idle', session('u1'));
    await sut.save('used', session('u1'));
    jest.advanceTimersByTime(600);
    await sut.touch('used');
    jest.advanceTimersByTime(600);
    expect(await sut.get('idle')).toBeNull();
    expect(await sut.get('used')).not.toBeNull();
  });

  it('ends a session at its endsAt even while it is touched all along', async () => {
    await sut.save('s1', session('u1', Date.now() + 1500));
    jest.advanceTimersByTime(800);
    await sut.touch('s1');
    expect(await sut.get('s1')).not.toBeNull();
    jest.advanceTimersByTime(800);
    await sut.touch('s1');
    expect(await sut.get('s1')).toBeNull();
  });

  it('sweeps expired sessions that are never read again', async () => {
    await sut.save('s1', session('u1'));
    jest.advanceTimersByTime(2500);
    expect(await sut.destroyAllOf('u1')).toBe(0);
  });

  it("ends all of one user's sessions and no one else's", async () => {
    await sut.save('a1', session('a'));
    await sut.save('a2', session('a'));
    await sut.save('b1', session('b'));
    expect(await sut.destroyAllOf('a')).toBe(2);
    expect(await sut.get('a1')).toBeNull();
    expect(await sut.get('a2')).toBeNull();
    expect(await sut.get('b1')).not.toBeNull();
  });

  it('does not bring back a destroyed session on touch', async () => {
    await sut.save('s1', session('u1'));
    await sut.destroy('s1');
    await sut.touch('s1');
    expect(await sut.get('s1')).toBeNull();
  });

  describe('with a file', () => {
    let dir: string;
    const file = () => join(dir, 'sessions.json');

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sessions-'));
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('hands its live sessions to the next store through the file, and drops the expired', async () => {
      const first = new MemorySessionBackend(new SessionLifetime(60, 3600), file());
      await first.save('live', session('u1'));
      await first.save('ended', session('u1', Date.now() + 500));
      jest.advanceTimersByTime(1000);
      first.close();
      expect(statSync(file()).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['sessions.json']);

      const next = new MemorySessionBackend(new SessionLifetime(60, 3600), file());
      expect(await next.get('live')).toMatchObject({ userId: 'u1' });
      expect(await next.get('ended')).toBeNull();
      expect(await next.destroyAllOf('u1')).toBe(1);
      next.close();
    });

    it('starts empty when the file is missing or unreadable', async () => {
      const fresh = new MemorySessionBackend(new SessionLifetime(60, 3600), file());
      expect(await fresh.get('any')).toBeNull();
      fresh.close();
      writeFileSync(file(), '{not json');
      const corrupt = new MemorySessionBackend(new SessionLifetime(60, 3600), file());
      expect(await corrupt.get('any')).toBeNull();
      corrupt.close();
    });
  });
});
