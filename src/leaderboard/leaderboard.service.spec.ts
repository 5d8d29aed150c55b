import { Registry } from 'prom-client';
import type { Batch } from './batch';
import type { BucketRef } from './buckets';
import { LeaderboardBackend, Ranked } from './leaderboard-backend';
import { LeaderboardMetrics } from './leaderboard.metrics';
import { LeaderboardModuleOptions } from './leaderboard.options';
import { Leaderboard } from './leaderboard.service';
import { MemoryLeaderboardBackend } from './memory-leaderboard.backend';

const WINDOWS = {
  '1h': { unit: 'minute', buckets: 60 },
  '24h': { unit: 'hour', buckets: 24 },
} as const;

/** The memory backend, with its applies recorded and faults injectable. */
class RecordingBackend implements LeaderboardBackend {
  readonly applied: { board: string; writer: string; batch: Batch }[] = [];
  /** 'down': apply fails before writing; 'lost-answer': it writes, then fails as a timeout would. */
  fault: 'down' | 'lost-answer' | undefined;

  constructor(readonly store: MemoryLeaderboardBackend) {}

  async apply(board: string, writer: string, batch: Batch): Promise<void> {
    this.applied.push({ board, writer, batch });
    if (this.fault === 'down') throw new Error('Connection is closed.');
    await this.store.apply(board, writer, batch);
    if (this.fault === 'lost-answer') throw new Error('Command timed out');
  }

  top(board: string, buckets: BucketRef[], limit: number): Promise<Ranked[]> {
    return this.store.top(board, buckets, limit);
  }

  remove(board: string, buckets: BucketRef[], member: string): Promise<void> {
    return this.store.remove(board, buckets, member);
  }
}

describe(Leaderboard.name, () => {
  let now: number;
  let backend: RecordingBackend;
  let registry: Registry;
  let sut: Leaderboard;

  const create = (options: Partial<LeaderboardModuleOptions> = {}): Leaderboard => {
    registry = new Registry();
    const clock = () => now;
    backend = new RecordingBackend(new MemoryLeaderboardBackend(clock));
    return new Leaderboard(
      { redis: null, keyPrefix: 'test', windows: WINDOWS, now: clock, ...options },
      backend,
      new LeaderboardMetrics(registry),
    );
  };

  const metric = async (name: string): Promise<number> =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((sum, v) => sum + v.value, 0);

  beforeEach(() => {
    now = Date.parse('2026-11-30T10:59:30Z');
    sut = create();
  });

  it('counts in process only: nothing reaches the store before a flush', async () => {
    sut.record('views', 'a');
    sut.record('views', 'a');
    expect(backend.applied).toHaveLength(0);
    expect(await sut.top('views', '1h', 10)).toEqual([]);
    expect(await sut.flush()).toBe(true);
    expect(await sut.top('views', '1h', 10)).toEqual([{ member: 'a', score: 2 }]);
  });

  it('sends one batch per board per flush, holding every bucket of it', async () => {
    sut.record('views', 'a');
    now += 60_000; // into the next minute and the next hour
    sut.record('views', 'a');
    sut.record('views', 'b');
    sut.record('likes', 'a');
    await sut.flush();
    expect(backend.applied.map((a) => a.board).sort()).toEqual(['likes', 'views']);
    const views = backend.applied.find((a) => a.board === 'views')!.batch;
    expect(views.buckets.map((b) => b.bucket.unit).sort()).toEqual([
      'hour',
      'hour',
      'minute',
      'minute',
    ]);
    expect(await sut.top('views', '24h', 10)).toEqual([
      { member: 'a', score: 2 },
      { member: 'b', score: 1 },
    ]);
  });

  it('files a view under the minute it happened, not the minute of the flush', async () => {
    sut.record('views', 'a'); // 10:59:30
    now += 45_000; // the flush runs at 11:00:15
    await sut.flush();
    const minutes = backend.applied[0].batch.buckets.filter((b) => b.bucket.unit === 'minute');
    expect(minutes.map((b) => b.bucket.index)).toEqual([
      Date.parse('2026-11-30T10:59:00Z') / 60_000,
    ]);
    expect(await sut.top('views', '1h', 10)).toEqual([{ member: 'a', score: 1 }]);
  });

  it('keeps the counts of a failed flush and writes them, exactly once, when the store is back', async () => {
    sut.record('views', 'a', 3);
    backend.fault = 'down';
    expect(await sut.flush()).toBe(false);
    sut.record('views', 'a');
    sut.record('views', 'b');
    expect(await sut.flush()).toBe(false);
    backend.fault = undefined;
    expect(await sut.flush()).toBe(true);
    expect(await sut.top('views', '1h', 10)).toEqual([
      { member: 'a', score: 4 },
      { member: 'b', score: 1 },
    ]);
    expect(await metric('leaderboard_flush_failures_total')).toBe(2);
    expect(await metric('leaderboard_flushes_total')).toBe(2);
  });

  it('resends a batch whose answer was lost unchanged, and the store does not count it twice', async () => {
    sut.record('views', 'a', 2);
    backend.fault = 'lost-answer';
    expect(await sut.flush()).toBe(false);
    backend.fault = undefined;
    sut.record('views', 'a');
    expect(await sut.flush()).toBe(true);
    const [lost, resent, fresh] = backend.applied;
    expect(resent.batch).toEqual(lost.batch);
    expect(fresh.batch.seq).toBeGreaterThan(lost.batch.seq);
    expect(await sut.top('views', '1h', 10)).toEqual([{ member: 'a', score: 3 }]);
  });

  it('caps pairs pending, failed batches included: past the cap a view needing a new pair is dropped', async () => {
    sut = create({ maxPendingMembers: 3 });
    backend.fault = 'down';
    sut.record('views', 'a');
    sut.record('views', 'b');
    await sut.flush(); // failed: its two pairs still count against the cap
    sut.record('views', 'a'); // a new open pair: the third
    sut.record('views', 'a', 4); // added to it
    sut.record('views', 'c'); // a fourth pair: dropped
    expect(await metric('leaderboard_views_dropped_total')).toBe(1);
    expect(await metric('leaderboard_views_counted_total')).toBe(7);
    backend.fault = undefined;
    await sut.flush();
    sut.record('views', 'c'); // room again
    await sut.flush();
    expect(await sut.top('views', '1h', 10)).toEqual([
      { member: 'a', score: 6 },
      { member: 'b', score: 1 },
      { member: 'c', score: 1 },
    ]);
  });

  it('counts nothing when counting is off, and still answers reads', async () => {
    sut = create({ counting: false });
    sut.record('views', 'a');
    await sut.flush();
    expect(backend.applied).toHaveLength(0);
    expect(await sut.top('views', '1h', 10)).toEqual([]);
  });

  it('flushes what it holds at shutdown', async () => {
    sut.onModuleInit();
    sut.record('views', 'a');
    await sut.onApplicationShutdown();
    expect(await sut.top('views', '24h', 10)).toEqual([{ member: 'a', score: 1 }]);
  });

  it('removes a member from every window, pending counts included', async () => {
    sut.record('views', 'a', 2);
    sut.record('views', 'b');
    await sut.flush();
    sut.record('views', 'a');
    await sut.remove('views', 'a');
    await sut.flush();
    for (const window of ['1h', '24h']) {
      expect(await sut.top('views', window, 10)).toEqual([{ member: 'b', score: 1 }]);
    }
  });

  it('rejects a window it was not configured with', () => {
    expect(() => sut.top('views', '7d', 10)).toThrow('Unknown leaderboard window "7d"');
  });
});
