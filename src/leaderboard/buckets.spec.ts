import { buildBatch } from './batch';
import {
  EXPIRY_MARGIN_MS,
  bucketExpiresAtMs,
  bucketIndex,
  liveBuckets,
  retention,
  windowBuckets,
} from './buckets';

const at = (iso: string): number => Date.parse(iso);
const MINUTE = 60_000;
const HOUR = 3_600_000;

describe('bucket arithmetic', () => {
  it('numbers buckets by whole units since the epoch', () => {
    expect(bucketIndex('minute', at('2026-11-30T10:30:59.999Z'))).toBe(
      at('2026-11-30T10:30:00Z') / MINUTE,
    );
    expect(bucketIndex('minute', at('2026-11-30T10:31:00Z'))).toBe(
      at('2026-11-30T10:31:00Z') / MINUTE,
    );
    expect(bucketIndex('hour', at('2026-11-30T10:59:59Z'))).toBe(at('2026-11-30T10:00:00Z') / HOUR);
  });

  it('reads a window as the current bucket and the ones before it, oldest first', () => {
    const buckets = windowBuckets({ unit: 'minute', buckets: 60 }, at('2026-11-30T10:30:15Z'));
    expect(buckets).toHaveLength(60);
    expect(buckets[0]).toEqual({ unit: 'minute', index: at('2026-11-30T09:31:00Z') / MINUTE });
    expect(buckets[59]).toEqual({ unit: 'minute', index: at('2026-11-30T10:30:00Z') / MINUTE });
    const week = windowBuckets({ unit: 'hour', buckets: 168 }, at('2026-11-30T10:30:15Z'));
    expect(week[0].index).toBe(at('2026-11-23T11:00:00Z') / HOUR);
  });

  it('keeps each unit as long as its longest window needs it, and units no window reads not at all', () => {
    const kept = retention([
      { unit: 'hour', buckets: 24 },
      { unit: 'hour', buckets: 168 },
      { unit: 'minute', buckets: 60 },
    ]);
    expect(kept).toEqual(
      new Map([
        ['hour', 168],
        ['minute', 60],
      ]),
    );
    expect(retention([{ unit: 'hour', buckets: 24 }]).has('minute')).toBe(false);
  });

  it('lets a bucket expire once the last window reading it has moved past it (plus a margin)', () => {
    const bucket = { unit: 'minute' as const, index: at('2026-11-30T10:00:00Z') / MINUTE };
    const expiresAt = bucketExpiresAtMs(bucket, 60);
    expect(expiresAt).toBe(at('2026-11-30T11:00:00Z') + EXPIRY_MARGIN_MS);
    // At 10:59:59 the 1h window still reads it; from 11:00 it does not.
    expect(
      windowBuckets({ unit: 'minute', buckets: 60 }, at('2026-11-30T10:59:59Z')),
    ).toContainEqual(bucket);
    expect(
      windowBuckets({ unit: 'minute', buckets: 60 }, at('2026-11-30T11:00:00Z')),
    ).not.toContainEqual(bucket);
  });

  it('lists as live exactly the buckets not yet expired and those a fast clock may have written', () => {
    const kept = new Map([['minute' as const, 60]]);
    const now = at('2026-11-30T10:30:30Z');
    const live = liveBuckets(kept, now);
    for (const bucket of live) expect(bucketExpiresAtMs(bucket, 60)).toBeGreaterThan(now);
    const before = { unit: 'minute' as const, index: live[0].index - 1 };
    expect(bucketExpiresAtMs(before, 60)).toBeLessThanOrEqual(now);
    expect(live[live.length - 1].index).toBe(bucketIndex('minute', now + EXPIRY_MARGIN_MS));
  });
});

describe(buildBatch.name, () => {
  const kept = new Map([
    ['minute' as const, 60],
    ['hour' as const, 168],
  ]);

  it('files each minute of counts into its minute bucket and the bucket of its hour', () => {
    const m1059 = at('2026-11-30T10:59:00Z') / MINUTE;
    const batch = buildBatch(
      7,
      new Map([
        [m1059 - 1, new Map([['a', 1]])],
        [
          m1059,
          new Map([
            ['a', 2],
            ['b', 1],
          ]),
        ],
        [m1059 + 1, new Map([['a', 4]])],
      ]),
      kept,
    );
    expect(batch.seq).toBe(7);
    const byBucket = Object.fromEntries(
      batch.buckets.map((b) => [
        `${b.bucket.unit}@${b.bucket.index}`,
        Object.fromEntries(b.counts),
      ]),
    );
    expect(byBucket).toEqual({
      [`minute@${m1059 - 1}`]: { a: 1 },
      [`minute@${m1059}`]: { a: 2, b: 1 },
      [`minute@${m1059 + 1}`]: { a: 4 },
      [`hour@${at('2026-11-30T10:00:00Z') / HOUR}`]: { a: 3, b: 1 },
      [`hour@${at('2026-11-30T11:00:00Z') / HOUR}`]: { a: 4 },
    });
    const hour10 = batch.buckets.find((b) => b.bucket.unit === 'hour')!;
    expect(hour10.expiresAtMs).toBe(bucketExpiresAtMs(hour10.bucket, 168));
  });
});
