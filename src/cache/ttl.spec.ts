import { jitteredTtlMs } from './ttl';

describe(jitteredTtlMs.name, () => {
  it('adds no jitter at the low end and 10 % at the high end', () => {
    expect(jitteredTtlMs(100, () => 0)).toBe(100_000);
    expect(jitteredTtlMs(100, () => 0.999999)).toBe(110_000);
  });

  it('stays within [ttl, 1.1 ttl] for random draws', () => {
    for (let i = 0; i < 1000; i++) {
      const ms = jitteredTtlMs(300);
      expect(ms).toBeGreaterThanOrEqual(300_000);
      expect(ms).toBeLessThanOrEqual(330_000);
    }
  });
});
