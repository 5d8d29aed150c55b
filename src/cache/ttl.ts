import { CACHE_DEFAULTS } from './cache.constants';

/** The stored lifetime of an entry: its TTL plus up to 10 % random extra, in milliseconds. */
export function jitteredTtlMs(ttlSeconds: number, random: () => number = Math.random): number {
  return Math.round(ttlSeconds * 1000 * (1 + CACHE_DEFAULTS.jitter * random()));
}
