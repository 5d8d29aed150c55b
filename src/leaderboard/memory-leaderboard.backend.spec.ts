import { buildBatch } from './batch';
import { windowBuckets } from './buckets';
import { MemoryLeaderboardBackend } from './memory-leaderboard.backend';

const MINUTE = 60_000;
const kept = new Map([['minute' as const, 60]]);
const hourWindow = { unit: 'minute' as const, buckets: 60 };

describe(MemoryLeaderboardBackend.name, () => {
  let now: number;
  let sut: MemoryLeaderboardBackend;

  const counts = (entries: [string, number][]) => new Map(entries);
  const apply = (seq: number, minute: number, entries: [string, number][], writer = 'w1') =>
    sut.apply('views', writer, buildBatch(seq, new Map([[minute, counts(entries)]]), kept));

  beforeEach(() => {
    now = Date.parse('2026-11-30T10:30:00Z');
    sut = new MemoryLeaderboardBackend(() => now);
  });

  it('ranks by summed score desc, then member asc (as Redis orders ties)', async () => {
    const minute = now / MINUTE;
    await apply(1, minute, [
      ['b', 2],
      ['c', 5],
      ['a', 2],
    ]);
    await apply(2, minute - 1, [
      ['d', 3],
      ['a', 1],
    ]);
    expect(await sut.top('views', windowBuckets(hourWindow, now), 10)).toEqual([
      { member: 'c', score: 5 },
      { member: 'a', score: 3 },
      { member: 'd', score: 3 },
      { member: 'b', score: 2 },
    ]);
    expect(await sut.top('views', windowBuckets(hourWindow, now), 2)).toEqual([
      { member: 'c', score: 5 },
      { member: 'a', score: 3 },
    ]);
  });

  it("ignores a batch it already applied for that writer, but not another writer's", async () => {
    const minute = now / MINUTE;
    await apply(1, minute, [['a', 1]]);
    await apply(1, minute, [['a', 1]]);
    await apply(1, minute, [['a', 1]], 'w2');
    expect(await sut.top('views', windowBuckets(hourWindow, now), 10)).toEqual([
      { member: 'a', score: 2 },
    ]);
  });

  it('drops a bucket when no window reads it any more', async () => {
    await apply(1, now / MINUTE, [['a', 1]]);
    now += 61 * MINUTE;
    await apply(2, now / MINUTE, [['b', 1]]);
    expect(
      await sut.top('views', windowBuckets({ unit: 'minute', buckets: 120 }, now), 10),
    ).toEqual([{ member: 'b', score: 1 }]);
  });
});
