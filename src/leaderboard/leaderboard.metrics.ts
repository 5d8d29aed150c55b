import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Leaderboard counters on the app instance's registry. */
@Injectable()
export class LeaderboardMetrics {
  readonly counted: Counter<'board'>;
  readonly dropped: Counter<'board'>;
  readonly flushes: Counter<'board'>;
  readonly flushFailures: Counter<'board'>;

  constructor(registry: Registry) {
    const counter = (name: string, help: string): Counter<'board'> =>
      new Counter({ name, help, labelNames: ['board'], registers: [registry] });
    this.counted = counter(
      'leaderboard_views_counted_total',
      'Views (increments) counted in process',
    );
    this.dropped = counter(
      'leaderboard_views_dropped_total',
      'Views not counted: the cap on members pending a flush was reached',
    );
    this.flushes = counter('leaderboard_flushes_total', 'Batches of counts written to the store');
    this.flushFailures = counter(
      'leaderboard_flush_failures_total',
      'Flushes that failed; their counts are kept for the next flush',
    );
  }
}
