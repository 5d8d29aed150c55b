import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * Injection token of the project's one ioredis client: a `Redis` (REDIS_URL) or a `Cluster`
 * (REDIS_CLUSTER_NODES), or `null` in the embedded mode, where each Redis-backed part uses its
 * in-process store instead.
 */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
