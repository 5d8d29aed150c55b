import { ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, Registry } from 'prom-client';

/** prom-client's event-loop delay gauges, which this module replaces (names and meaning kept). */
const LAG_STATISTICS = {
  min: (h: ELDHistogram) => h.min,
  max: (h: ELDHistogram) => h.max,
  mean: (h: ELDHistogram) => h.mean,
  stddev: (h: ELDHistogram) => h.stddev,
  p50: (h: ELDHistogram) => h.percentile(50),
  p90: (h: ELDHistogram) => h.percentile(90),
  p99: (h: ELDHistogram) => h.percentile(99),
};

/**
 * `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds` that never read `NaN`.
 * prom-client's default collector resets its delay histogram at every scrape, so a scrape that comes
 * before the histogram took its next sample (one per 10 ms) reads an empty histogram: mean and
 * stddev `NaN` (printed `Nan`, which Prometheus rejects) and min 9.2e9 s. These gauges read the
 * same histogram statistics but reset only after a scrape that found samples, and otherwise keep
 * the last window's values.
 */
export function replaceEventLoopLagMetrics(
  registry: Registry,
  histogram: ELDHistogram = monitorEventLoopDelay(),
): void {
  histogram.enable();
  const gauges: { read: (h: ELDHistogram) => number; gauge: Gauge }[] = [];
  const sample = (): void => {
    if (histogram.count === 0) return;
    for (const { read, gauge } of gauges) gauge.set(read(histogram) / 1e9);
    histogram.reset();
  };
  Object.entries(LAG_STATISTICS).forEach(([statistic, read], index) => {
    const name = `nodejs_eventloop_lag_${statistic}_seconds`;
    registry.removeSingleMetric(name);
    const gauge = new Gauge({
      name,
      help: `The ${statistic} of the event loop delay since the last scrape that had samples.`,
      registers: [registry],
      // The first gauge samples for all of them, once per scrape, before any of them is read.
      ...(index === 0 ? { collect: sample } : {}),
    });
    gauges.push({ read, gauge });
  });
}
