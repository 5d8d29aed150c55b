import { Environment } from './environment';
import { TrustProxy } from './trust-proxy';

export interface RedisNode {
  host: string;
  port: number;
}

/** Redis Sentinels and the name of the master they watch; `username`/`password` are the Sentinels' own. */
export interface RedisSentinels {
  nodes: RedisNode[];
  masterName: string;
  username?: string;
  password?: string;
}

/**
 * Where the Redis of the service is (`clusterNodes` wins over `sentinels`, which win over `url`), and
 * how every connection to it is secured: `tls` for Cluster nodes and Sentinels (a `rediss://` URL says
 * it for itself), `tlsCaFile` to trust a private CA, and the ACL user of every connection whose URL
 * names none.
 */
export interface RedisSettings {
  url?: string;
  clusterNodes?: RedisNode[];
  sentinels?: RedisSentinels;
  tls: boolean;
  tlsCaFile?: string;
  username?: string;
  password?: string;
}

/** The typed, nested configuration every other module injects. Built once from the validated environment. */
export class AppConfig {
  readonly production: boolean;
  readonly nodeEnv: string;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  /** Browser origins allowed to call the API with credentials; empty: no cross-origin access. */
  readonly corsOrigins: string[];
  /** `port`: the separate listener that serves `/metrics` alone, when set. */
  readonly metrics: { port?: number };
  /** How long `/health` answers 503 after SIGTERM before the server stops accepting. */
  readonly shutdownDrainMs: number;
  readonly http: {
    port: number;
    host: string;
    trustProxy: TrustProxy;
    bodyLimitBytes: number;
    requestTimeoutMs: number;
    /** At most `requestTimeoutMs`. */
    headersTimeoutMs: number;
    maxConnectionsPerAddress: number;
  };
  readonly database: { url?: string; dataDir: string; migrationsRun: boolean; poolSize: number };
  readonly redis: RedisSettings & { keyPrefix: string };
  readonly session: { secret?: string; ttlSeconds: number; maxAgeSeconds: number };
  /**
   * `loginAddressLimit`: sign-in attempts per address over all emails, in `loginTtlMs`;
   * `failMode`: what the general limit does with a request Redis cannot count.
   */
  readonly throttle: {
    limit: number;
    ttlMs: number;
    loginLimit: number;
    loginTtlMs: number;
    loginAddressLimit: number;
    failMode: 'open' | 'closed';
  };
  /**
   * `redis`: a Redis apart for cache entries (which may evict), when set; `ttlOverrides`: seconds by
   * upper-cased cache name, from `CACHE_TTL_<NAME>_S`.
   */
  readonly cache: {
    redis?: { url?: string; clusterNodes?: RedisNode[] };
    l1MaxEntries: number;
    maxEntryBytes: number;
    ttlOverrides: Record<string, number>;
  };
  /** Counting of product views for the trending answer. */
  readonly trending: { enabled: boolean; flushIntervalMs: number };
  readonly reports: { delayMs: number; cron: string; scheduleEnabled: boolean };
  /** `redisNodes`: independent Redis masters for the lock quorum, when set (else the project Redis). */
  readonly lock: { ttlMs: number; redisNodes?: string[] };
  /** True when traces are exported (`OTEL_EXPORTER_OTLP_ENDPOINT`): the libraries then make spans. */
  readonly tracing: { enabled: boolean };

  constructor(env: Environment) {
    this.production = env.NODE_ENV === 'production';
    this.nodeEnv = env.NODE_ENV;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT ?? (this.production ? 'json' : 'pretty');
    this.corsOrigins = env.CORS_ORIGINS?.split(',') ?? [];
    this.metrics = { port: env.METRICS_PORT };
    this.shutdownDrainMs = env.SHUTDOWN_DRAIN_MS;
    this.http = {
      port: env.PORT,
      host: env.HOST,
      trustProxy: env.TRUST_PROXY,
      bodyLimitBytes: 100 * 1024,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(env.HEADERS_TIMEOUT_MS, env.REQUEST_TIMEOUT_MS),
      maxConnectionsPerAddress: env.MAX_CONNECTIONS_PER_ADDRESS,
    };
    this.database = {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      migrationsRun: env.DATABASE_MIGRATIONS_RUN,
      poolSize: env.DATABASE_POOL_SIZE,
    };
    this.redis = {
      url: env.REDIS_URL,
      clusterNodes: env.REDIS_CLUSTER_NODES?.split(',').map(parseNode),
      sentinels: env.REDIS_SENTINELS
        ? {
            nodes: env.REDIS_SENTINELS.split(',').map(parseNode),
            masterName: env.REDIS_SENTINEL_MASTER,
            username: env.REDIS_SENTINEL_USERNAME,
            password: env.REDIS_SENTINEL_PASSWORD,
          }
        : undefined,
      tls: env.REDIS_TLS,
      tlsCaFile: env.REDIS_TLS_CA_FILE,
      username: env.REDIS_USERNAME,
      password: env.REDIS_PASSWORD,
      keyPrefix: env.REDIS_KEY_PREFIX,
    };
    this.session = {
      secret: env.SESSION_SECRET,
      ttlSeconds: env.SESSION_TTL_S,
      maxAgeSeconds: env.SESSION_MAX_AGE_S,
    };
    this.throttle = {
      limit: env.THROTTLE_LIMIT,
      ttlMs: env.THROTTLE_TTL_MS,
      loginLimit: env.LOGIN_THROTTLE_LIMIT,
      loginTtlMs: env.LOGIN_THROTTLE_TTL_MS,
      loginAddressLimit: env.LOGIN_THROTTLE_ADDRESS_LIMIT,
      failMode: env.THROTTLE_FAIL_MODE,
    };
    this.cache = {
      redis:
        env.CACHE_REDIS_URL || env.CACHE_REDIS_CLUSTER_NODES
          ? {
              url: env.CACHE_REDIS_URL,
              clusterNodes: env.CACHE_REDIS_CLUSTER_NODES?.split(',').map(parseNode),
            }
          : undefined,
      l1MaxEntries: env.CACHE_L1_MAX_ENTRIES,
      maxEntryBytes: env.CACHE_MAX_ENTRY_BYTES,
      ttlOverrides: env.cacheTtlOverrides ?? {},
    };
    this.trending = {
      enabled: env.TRENDING_ENABLED,
      flushIntervalMs: env.TRENDING_FLUSH_INTERVAL_MS,
    };
    this.reports = {
      delayMs: env.INVENTORY_REPORT_DELAY_MS,
      cron: env.INVENTORY_REPORT_CRON,
      scheduleEnabled: env.INVENTORY_REPORT_SCHEDULE,
    };
    this.lock = { ttlMs: env.LOCK_TTL_MS, redisNodes: env.LOCK_REDIS_NODES?.split(',') };
    this.tracing = { enabled: env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined };
  }

  /** True when no Redis is configured and the Redis-backed parts use in-process stores. */
  get embeddedRedis(): boolean {
    return !this.redis.url && !this.redis.clusterNodes && !this.redis.sentinels;
  }
}

function parseNode(node: string): RedisNode {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}
