import type { ELDHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { replaceEventLoopLagMetrics } from './event-loop-lag.metrics';

/** A delay histogram as Node reports it, with `count` samples since its last reset. */
function histogram(count: number): ELDHistogram & { resets: number } {
  const empty = count === 0;
  return {
    count,
    min: empty ? 9223372036854776000 : 10e6,
    max: empty ? 0 : 30e6,
    mean: empty ? NaN : 20e6,
    stddev: empty ? NaN : 5e6,
    percentile: (p: number) => (empty ? 0 : p * 1e6),
    resets: 0,
    reset(this: { resets: number }) {
      this.resets += 1;
    },
    enable: () => true,
    disable: () => true,
  } as unknown as ELDHistogram & { resets: number };
}

const valueOf = (text: string, name: string): string | undefined =>
  new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];

describe('replaceEventLoopLagMetrics', () => {
  it('prints no NaN and no bogus minimum when a scrape finds the delay histogram empty', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    replaceEventLoopLagMetrics(registry, histogram(0));

    const text = await registry.metrics();
    expect(text).not.toMatch(/\bNa[nN]\b/);
    expect(valueOf(text, 'nodejs_eventloop_lag_mean_seconds')).toBe('0');
    expect(valueOf(text, 'nodejs_eventloop_lag_min_seconds')).toBe('0');
  });

  it('reports the sampled window in seconds and resets the histogram after reading it', async () => {
    const registry = new Registry();
    const sampled = histogram(50);
    replaceEventLoopLagMetrics(registry, sampled);

    const text = await registry.metrics();
    expect(valueOf(text, 'nodejs_eventloop_lag_mean_seconds')).toBe('0.02');
    expect(valueOf(text, 'nodejs_eventloop_lag_p99_seconds')).toBe('0.099');
    expect(sampled.resets).toBe(1);
  });

  it('keeps the last window when the next scrape comes before a new sample', async () => {
    const registry = new Registry();
    const delays = histogram(50);
    replaceEventLoopLagMetrics(registry, delays);
    await registry.metrics();
    Object.assign(delays, histogram(0), { resets: delays.resets });

    const text = await registry.metrics();
    expect(valueOf(text, 'nodejs_eventloop_lag_mean_seconds')).toBe('0.02');
    expect(text).not.toMatch(/\bNa[nN]\b/);
  });

  it('keeps one series per name, replacing the default collector’s', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    replaceEventLoopLagMetrics(registry, histogram(1));
    const text = await registry.metrics();
    expect(text.match(/^# TYPE nodejs_eventloop_lag_mean_seconds /gm)).toHaveLength(1);
  });
});
