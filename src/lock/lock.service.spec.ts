import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LockBusyError, LockShutdownError, LockUnavailableError } from './lock.errors';
import { LockService } from './lock.service';
import { MemoryLockBackend } from './memory-lock.backend';
import { WithLock } from './with-lock.decorator';

const config = { lock: { ttlMs: 30000 } } as AppConfig;

describe(LockService.name, () => {
  let registry: Registry;
  let sut: LockService;

  beforeEach(() => {
    registry = new Registry();
    sut = new LockService(new MemoryLockBackend(), config, registry);
  });

  async function counts(): Promise<Record<string, number>> {
    const metric = await registry.getSingleMetric('lock_acquisitions_total')!.get();
    return Object.fromEntries(
      metric.values.map((v) => [`${v.labels.lock}:${v.labels.result}`, v.value]),
    );
  }

  it('hands the work its signal, token and lock, also through current()', async () => {
    expect(sut.current()).toBeUndefined();
    const seen = await sut.using('job', 1000, (signal, token, held) =>
      Promise.resolve({ signal, token, held, current: sut.current() }),
    );
    expect(seen.held).toMatchObject({ resource: 'job', token: seen.token, signal: seen.signal });
    expect(seen.current).toBe(seen.held);
  });

  it('counts acquisitions and busy attempts per lock', async () => {
    let release!: () => void;
    const holding = sut.using('job', 1000, () => new Promise<void>((r) => (release = r)));
    await Promise.resolve();
    await expect(sut.using('job', 1000, () => Promise.resolve())).rejects.toBeInstanceOf(
      LockBusyError,
    );
    release();
    await holding;
    expect(await counts()).toEqual({ 'job:acquired': 1, 'job:busy': 1 });
  });

  it('does not count a busy error thrown by the work itself as a busy acquisition', async () => {
    const inner = new LockBusyError('other');
    await expect(sut.using('job', 1000, () => Promise.reject(inner))).rejects.toBe(inner);
    expect(await counts()).toEqual({ 'job:acquired': 1 });
  });

  it('on shutdown aborts the work with LockShutdownError, waits for it, and refuses new work', async () => {
    let reason: unknown;
    const work = sut.using(
      'job',
      1000,
      (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            resolve();
          }),
        ),
    );
    await Promise.resolve();
    await sut.onModuleDestroy();
    await work;
    expect(reason).toBeInstanceOf(LockShutdownError);
    await expect(sut.using('job', 1000, () => Promise.resolve())).rejects.toBeInstanceOf(
      LockUnavailableError,
    );
  });

  it('rejects a TTL that is not a positive integer', async () => {
    await expect(sut.using('job', 0, () => Promise.resolve())).rejects.toThrow(RangeError);
  });
});

describe(WithLock.name, () => {
  it('refuses to run a method LockModule has not wired, rather than run it unlocked', () => {
    class Job {
      @WithLock('job')
      run(): Promise<string> {
        return Promise.resolve('ran');
      }
    }
    expect(() => new Job().run()).toThrow(/before LockModule wired it/);
  });
});
