import { LockBusyError, LockLostError } from './lock.errors';
import { Lease } from './lock-backend';
import { MemoryLockBackend } from './memory-lock.backend';

describe(MemoryLockBackend.name, () => {
  let sut: MemoryLockBackend;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    sut = new MemoryLockBackend();
  });

  afterEach(() => jest.useRealTimers());

  /** Starts holding `resource` until the returned `release` is called. */
  async function hold(resource: string, ttlMs = 1000) {
    let lease!: Lease;
    let release!: () => void;
    const done = sut.using(resource, ttlMs, (l) => {
      lease = l;
      return new Promise<void>((resolve) => (release = resolve));
    });
    await Promise.resolve();
    return { lease, done, release: () => (release(), done) };
  }

  it('issues tokens that strictly increase per resource, even within one millisecond', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      tokens.push(await sut.using('a', 1000, (l) => Promise.resolve(l.token)));
    }
    expect(tokens).toEqual([Date.now(), Date.now() + 1, Date.now() + 2]);
  });

  it('keeps tokens increasing when the counter is lost (a restarted process)', async () => {
    const before = await sut.using('a', 1000, (l) => Promise.resolve(l.token));
    jest.advanceTimersByTime(1);
    const restarted = new MemoryLockBackend();
    expect(await restarted.using('a', 1000, (l) => Promise.resolve(l.token))).toBeGreaterThan(
      before,
    );
  });

  it('is busy while held, telling since when, and free once released', async () => {
    const first = await hold('a');
    await expect(sut.using('a', 1000, () => Promise.resolve())).rejects.toEqual(
      new LockBusyError('a', first.lease.acquiredAt),
    );
    await first.release();
    await expect(sut.using('a', 1000, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('releases when the routine fails', async () => {
    await expect(sut.using('a', 1000, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(sut.using('a', 1000, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('extends the lock while its holder runs, past its TTL', async () => {
    const first = await hold('a', 1000);
    await jest.advanceTimersByTimeAsync(5000);
    await expect(sut.using('a', 1000, () => Promise.resolve())).rejects.toBeInstanceOf(
      LockBusyError,
    );
    expect(first.lease.lost.aborted).toBe(false);
    await first.release();
  });

  it('loses a lock whose extension comes too late (a stalled holder), and lets another take it', async () => {
    const first = await hold('a', 1000);
    jest.setSystemTime(Date.now() + 1500);
    const next = await sut.using('a', 1000, (l) => Promise.resolve(l.token));
    expect(next).toBeGreaterThan(first.lease.token);
    await jest.advanceTimersByTimeAsync(1000);
    expect(first.lease.lost.aborted).toBe(true);
    expect(first.lease.lost.reason).toBeInstanceOf(LockLostError);
    await first.release();
  });
});
