import { effectiveTtl, extensionThreshold, MIN_LOCK_TTL_MS } from './lock-timing';

describe('lock timing', () => {
  it('keeps TTLs at or above the minimum and raises shorter ones to it', () => {
    expect(effectiveTtl(30000)).toBe(30000);
    expect(effectiveTtl(MIN_LOCK_TTL_MS)).toBe(MIN_LOCK_TTL_MS);
    expect(effectiveTtl(1)).toBe(MIN_LOCK_TTL_MS);
  });

  it.each([0, -5, 1.5, Number.NaN])('rejects %p as a TTL', (ttl) => {
    expect(() => effectiveTtl(ttl)).toThrow(RangeError);
  });

  it('extends with a third of the lifetime left, always at least 100 ms before expiry', () => {
    expect(extensionThreshold(30000)).toBe(10000);
    for (const ttl of [MIN_LOCK_TTL_MS, 250, 600, 30000]) {
      expect(extensionThreshold(ttl)).toBeLessThanOrEqual(ttl - 100);
    }
  });
});
