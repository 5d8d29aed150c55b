import request from 'supertest';
import { Leaderboard } from '../../src/leaderboard';
import { AppInstance } from './app-instance';
import { waitFor } from './ports';

export interface Ranked {
  id: string;
  views: number;
}

interface TrendingBody {
  window: string;
  items: { product: { id: string; name: string }; views: number }[];
}

/** `count` reads of the product on the instance, each answered 200. */
export async function view(instance: AppInstance | string, id: string, count = 1): Promise<void> {
  const url = typeof instance === 'string' ? instance : instance.url;
  for (let i = 0; i < count; i++) await request(url).get(`/products/${id}`).expect(200);
}

/** Writes every instance's counted views now, instead of at its next periodic flush. */
export async function flushAll(instances: AppInstance[]): Promise<void> {
  const written = await Promise.all(instances.map((i) => i.app.get(Leaderboard).flush()));
  if (!written.every(Boolean)) throw new Error('a flush failed');
}

/** The expected ranking: views desc, then id asc. */
export function ranking(views: Map<string, number>, limit = 10): Ranked[] {
  return [...views]
    .map(([id, count]) => ({ id, views: count }))
    .sort((a, b) => b.views - a.views || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}

export async function trending(url: string, query = ''): Promise<Ranked[]> {
  const res = await request(url).get(`/products/trending${query}`).expect(200);
  return (res.body as TrendingBody).items.map((item) => ({
    id: item.product.id,
    views: item.views,
  }));
}

/** Polls until the (cached) trending answer is `expected`; fails with the last answer seen. */
export async function trendingBecomes(
  url: string,
  query: string,
  expected: Ranked[],
  timeoutMs = 15_000,
): Promise<void> {
  let last: Ranked[] = [];
  await waitFor(
    async () => {
      last = await trending(url, query);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    timeoutMs,
    `GET /products/trending${query} to answer ${JSON.stringify(expected)}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last answer ${JSON.stringify(last)}`);
  });
}
