import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * Injection token of the project's one ioredis client: a `Redis` (REDIS_URL) or a `Cluster`
 * (REDIS_CLUSTER_NODES), or `null` in the embedded mode, where each Redis-backed part uses its
 * in-process store instead.
 */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * Injection token of the ioredis client for cache entries: the Redis of `CACHE_REDIS_URL` /
 * `CACHE_REDIS_CLUSTER_NODES` (which may evict) when set, else the project's client above.
 */
export const CACHE_REDIS_CLIENT = Symbol('CACHE_REDIS_CLIENT');
