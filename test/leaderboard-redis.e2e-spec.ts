import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { buildBatch } from '../src/leaderboard/batch';
import { windowBuckets } from '../src/leaderboard/buckets';
import { LeaderboardKeys } from '../src/leaderboard';
import { RedisLeaderboardBackend } from '../src/leaderboard/redis-leaderboard.backend';

const MINUTE = 60_000;
const kept = new Map([['minute' as const, 60]]);
const window = { unit: 'minute' as const, buckets: 60 };

describe('Leaderboard scripts on a real Redis (e2e)', () => {
  let client: Redis;
  let sut: RedisLeaderboardBackend;
  let prefix: string;
  const now = Date.now();
  const minute = Math.floor(now / MINUTE);

  const batch = (seq: number, counts: Record<string, number>, at = minute) =>
    buildBatch(seq, new Map([[at, new Map(Object.entries(counts))]]), kept);

  beforeAll(() => {
    client = new Redis(process.env.TEST_REDIS_URL!);
    prefix = `lb${randomBytes(4).toString('hex')}`;
    sut = new RedisLeaderboardBackend(client, prefix);
  });

  afterAll(() => client.disconnect());

  it('orders ties at the cut by member ascending, though Redis reverses them in a REV range', async () => {
    await sut.apply('ties', 'w', batch(1, { z: 2, e: 1, d: 1, c: 1, b: 1, a: 1, y: 3 }));
    const buckets = windowBuckets(window, now);
    expect(await sut.top('ties', buckets, 4)).toEqual([
      { member: 'y', score: 3 },
      { member: 'z', score: 2 },
      { member: 'a', score: 1 },
      { member: 'b', score: 1 },
    ]);
    expect(await sut.top('ties', buckets, 1)).toEqual([{ member: 'y', score: 3 }]);
    expect(await sut.top('ties', buckets, 50)).toHaveLength(7);
    expect(await client.exists(new LeaderboardKeys(prefix, 'ties').union)).toBe(0);
  });

  it('sums a member over the buckets of the window only', async () => {
    await sut.apply('sum', 'w', batch(1, { a: 2 }, minute - 59));
    await sut.apply('sum', 'w', batch(2, { a: 3, b: 4 }, minute));
    await sut.apply('sum', 'w', batch(3, { b: 100 }, minute - 60)); // just outside 1h
    expect(await sut.top('sum', windowBuckets(window, now), 10)).toEqual([
      { member: 'a', score: 5 },
      { member: 'b', score: 4 },
    ]);
  });

  it('applies a resent batch once per writer, and sets the expiry of every bucket it writes', async () => {
    const sent = batch(7, { a: 1 });
    await sut.apply('once', 'w1', sent);
    await sut.apply('once', 'w1', sent);
    await sut.apply('once', 'w1', batch(6, { a: 1 }));
    await sut.apply('once', 'w2', batch(1, { a: 1 }));
    expect(await sut.top('once', windowBuckets(window, now), 10)).toEqual([
      { member: 'a', score: 2 },
    ]);
    const key = new LeaderboardKeys(prefix, 'once').bucket({ unit: 'minute', index: minute });
    expect(await client.pexpiretime(key)).toBe(
      Math.ceil(sent.buckets[0].expiresAtMs / 1000) * 1000,
    );
  });

  it('removes a member from every bucket listed', async () => {
    await sut.apply('gone', 'w', batch(1, { a: 1, b: 2 }, minute - 1));
    await sut.apply('gone', 'w', batch(2, { a: 5 }, minute));
    await sut.remove('gone', windowBuckets(window, now), 'a');
    expect(await sut.top('gone', windowBuckets(window, now), 10)).toEqual([
      { member: 'b', score: 2 },
    ]);
  });
});
