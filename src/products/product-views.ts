import { Injectable } from '@nestjs/common';
import { Leaderboard, Ranked, WindowSpec } from '../leaderboard';

/** The trending windows: minutes for the last hour, hours for the last day and week. */
export const TRENDING_WINDOWS = {
  '1h': { unit: 'minute', buckets: 60 },
  '24h': { unit: 'hour', buckets: 24 },
  '7d': { unit: 'hour', buckets: 168 },
} as const satisfies Record<string, WindowSpec>;
export type TrendingWindow = keyof typeof TRENDING_WINDOWS;
export const TRENDING_WINDOW_NAMES = Object.keys(TRENDING_WINDOWS) as TrendingWindow[];

/** Cache of the trending answers (its TTL is CACHE_TTL_TRENDING_S); product writes invalidate it. */
export const PRODUCT_TRENDING = 'trending';

const BOARD = 'product_views';

/** Views of products (a `GET /products/:id` answered 200) on the leaderboard. */
@Injectable()
export class ProductViews {
  constructor(private readonly leaderboard: Leaderboard) {}

  /** In process only: adds nothing to the read's Redis traffic. */
  record(id: string): void {
    this.leaderboard.record(BOARD, id);
  }

  top(window: TrendingWindow, limit: number): Promise<Ranked[]> {
    return this.leaderboard.top(BOARD, window, limit);
  }

  forget(id: string): Promise<void> {
    return this.leaderboard.remove(BOARD, id);
  }
}
