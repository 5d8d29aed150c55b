import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from './app-config';
import { InvalidEnvironmentError, validateEnvironment } from './validate-environment';

const COUNTS_LIMITS_AND_TTLS = [
  'DATABASE_POOL_SIZE',
  'SESSION_TTL_S',
  'THROTTLE_LIMIT',
  'THROTTLE_TTL_MS',
  'LOGIN_THROTTLE_LIMIT',
  'LOGIN_THROTTLE_TTL_MS',
  'CACHE_MAX_ENTRY_BYTES',
  'REQUEST_TIMEOUT_MS',
  'LOCK_TTL_MS',
];

/** The lines of the error `raw` is refused with, or [] when it is accepted. */
function linesFor(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.lines;
    throw error;
  }
}

describe(validateEnvironment.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: '.data',
      DATABASE_MIGRATIONS_RUN: true,
      SESSION_TTL_S: 1800,
      THROTTLE_LIMIT: 100,
      THROTTLE_TTL_MS: 60000,
      LOGIN_THROTTLE_LIMIT: 5,
      LOGIN_THROTTLE_TTL_MS: 60000,
      TRUST_PROXY: false,
      CACHE_L1_MAX_ENTRIES: 0,
      CACHE_MAX_ENTRY_BYTES: 1048576,
      cacheTtlOverrides: {},
      REQUEST_TIMEOUT_MS: 30000,
      INVENTORY_REPORT_DELAY_MS: 0,
      LOCK_TTL_MS: 30000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.SESSION_SECRET).toBeUndefined();
  });

  it('treats an empty value as unset and ignores variables it does not know', () => {
    const env = validateEnvironment({ PORT: '', REDIS_URL: '', PATH: '/bin', HOME: '/root' });
    expect(env.PORT).toBe(3000);
    expect(env.REDIS_URL).toBeUndefined();
    expect(env).not.toHaveProperty('PATH');
  });

  it('takes CACHE_TTL_<NAME>_S for any cache name as a positive integer, by upper-cased name', () => {
    const env = validateEnvironment({ CACHE_TTL_ORDERS_S: '90', CACHE_TTL_PRODUCT_LIST_S: '5' });
    expect(env.cacheTtlOverrides).toEqual({ ORDERS: 90, PRODUCT_LIST: 5 });
    for (const value of ['0', '-1', '1.5', 'ten']) {
      expect(linesFor({ CACHE_TTL_ORDERS_S: value })).toEqual([
        `CACHE_TTL_ORDERS_S: must be a positive integer (got ${JSON.stringify(value)})`,
      ]);
    }
  });

  it('takes CACHE_L1_MAX_ENTRIES 0 (off) or more, and a cache Redis apart', () => {
    expect(validateEnvironment({ CACHE_L1_MAX_ENTRIES: '0' }).CACHE_L1_MAX_ENTRIES).toBe(0);
    expect(validateEnvironment({ CACHE_L1_MAX_ENTRIES: '1000' }).CACHE_L1_MAX_ENTRIES).toBe(1000);
    expect(linesFor({ CACHE_L1_MAX_ENTRIES: '-1' })).toHaveLength(1);
    const config = new AppConfig(
      validateEnvironment({ REDIS_URL: 'redis://state:6379', CACHE_REDIS_URL: 'redis://c:6380' }),
    );
    expect(config.cache.redis).toEqual({ url: 'redis://c:6380', clusterNodes: undefined });
    expect(new AppConfig(validateEnvironment({})).cache.redis).toBeUndefined();
    expect(linesFor({ CACHE_REDIS_URL: 'http://c' })).toEqual([
      'CACHE_REDIS_URL: CACHE_REDIS_URL must be a redis:// or rediss:// URL',
    ]);
  });

  it('turns tracing on with OTEL_EXPORTER_OTLP_ENDPOINT and checks the OTEL_* values it names', () => {
    expect(new AppConfig(validateEnvironment({})).tracing).toEqual({ enabled: false });
    const env = validateEnvironment({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(new AppConfig(env).tracing).toEqual({ enabled: true });
    expect(linesFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (got "collector:4318")',
    ]);
    for (const [name, value] of [
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
      ['OTEL_TRACES_SAMPLER', 'sometimes'],
      ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
      ['OTEL_TRACES_SAMPLER_ARG', 'half'],
    ]) {
      const lines = linesFor({ [name]: value });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${name}: `));
    }
  });

  it.each(COUNTS_LIMITS_AND_TTLS)('accepts any positive integer for %s', (name) => {
    for (const value of ['1', '86400', '1000000000000']) {
      expect(validateEnvironment({ [name]: value })).toHaveProperty(name, Number(value));
    }
  });

  it.each(COUNTS_LIMITS_AND_TTLS)('refuses 0, negatives, fractions and words for %s', (name) => {
    for (const value of ['0', '-1', '1.5', 'ten', '1e3']) {
      const lines = linesFor({ [name]: value });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${name}: `));
    }
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '65536'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'mysql://db'],
    ['REDIS_URL', 'http://x'],
    ['REDIS_CLUSTER_NODES', 'host-without-port'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['TRUST_PROXY', 'maybe'],
    ['DATABASE_MIGRATIONS_RUN', 'sometimes'],
    ['LOG_LEVEL', 'chatty'],
    ['SESSION_SECRET', 'too-short'],
  ])('names %s in the one line refusing %p', (name, value) => {
    const lines = linesFor({ [name]: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('answers one line per bad variable, each naming it', () => {
    const lines = linesFor({ PORT: 'abc', THROTTLE_LIMIT: '0', REDIS_URL: 'http://x', HOST: '' });
    expect(lines.map((line) => line.split(':')[0]).sort()).toEqual([
      'PORT',
      'REDIS_URL',
      'THROTTLE_LIMIT',
    ]);
  });

  it('requires a SESSION_SECRET of 32 or more characters in production only', () => {
    expect(linesFor({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^SESSION_SECRET: /),
    ]);
    expect(linesFor({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) })).toEqual([]);
    expect(linesFor({ NODE_ENV: 'development' })).toEqual([]);
  });

  it('never repeats the value of a secret or a connection URL in its lines', () => {
    const lines = linesFor({
      SESSION_SECRET: 'hunter2-secret',
      DATABASE_URL: 'mysql://user:pa55word@db',
      REDIS_URL: 'http://:redispass@x',
      REDIS_PASSWORD: ['acl', 'pass'] as unknown as string,
      REDIS_SENTINEL_PASSWORD: { sentinel: 'pass' } as unknown as string,
    });
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).not.toMatch(/hunter2|pa55word|redispass|acl|sentinel/);
  });

  it.each([
    ['two masters', 'redis://a:6379,redis://b:6379'],
    ['an even count', 'redis://a:1,redis://b:1,redis://c:1,redis://d:1'],
    ['a repeated master', 'redis://a:1,redis://b:1,redis://a:1'],
    ['a non-redis URL', 'redis://a:1,http://b:1,redis://c:1'],
    ['an empty entry', 'redis://a:1,,redis://c:1'],
  ])('refuses LOCK_REDIS_NODES with %s in one line that hides the URLs', (_case, value) => {
    const lines = linesFor({ LOCK_REDIS_NODES: value });
    expect(lines).toEqual([expect.stringMatching(/^LOCK_REDIS_NODES: .*odd number/)]);
    expect(lines[0]).not.toContain('redis://a');
  });

  it('accepts 3 or 5 distinct redis:// or rediss:// masters for LOCK_REDIS_NODES', () => {
    for (const value of [
      'redis://a:6379,redis://b:6379,rediss://:pw@c:6380/2',
      'redis://a:1,redis://b:1,redis://c:1,redis://d:1,redis://e:1',
    ]) {
      expect(linesFor({ LOCK_REDIS_NODES: value })).toEqual([]);
    }
  });

  it('takes Sentinels as host:port,… and a CA file only if it holds a PEM certificate', () => {
    expect(linesFor({ REDIS_SENTINELS: 'a:26379,10.0.0.2:26380', REDIS_TLS: 'true' })).toEqual([]);
    expect(linesFor({ REDIS_SENTINELS: 'a:26379,b' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINELS: .*host:port,host:port/),
    ]);
    expect(linesFor({ REDIS_SENTINEL_MASTER: 'my master' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_MASTER: /),
    ]);
    expect(linesFor({ REDIS_TLS: 'maybe' })).toEqual([expect.stringMatching(/^REDIS_TLS: /)]);
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    try {
      writeFileSync(
        join(dir, 'ca.crt'),
        '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      );
      writeFileSync(join(dir, 'notes.txt'), 'not a certificate');
      expect(linesFor({ REDIS_TLS_CA_FILE: join(dir, 'ca.crt') })).toEqual([]);
      for (const path of [join(dir, 'notes.txt'), join(dir, 'missing.crt'), dir]) {
        expect(linesFor({ REDIS_TLS_CA_FILE: path })).toEqual([
          expect.stringMatching(/^REDIS_TLS_CA_FILE: .*readable PEM file/),
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['false', false],
    ['off', false],
    ['0', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, 192.168.1.7 ,::1', ['10.0.0.0/8', '192.168.1.7', '::1']],
    ['fd00::/8,loopback', ['fd00::/8', 'loopback']],
  ])('reads TRUST_PROXY=%p as %p', (value, expected) => {
    expect(validateEnvironment({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    '-1',
    '1.5',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0',
    'proxy.example.com',
    '10.0.0.1,,10.0.0.2',
  ])('refuses TRUST_PROXY=%p in one line naming it', (value) => {
    expect(linesFor({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY: /)]);
  });
});

describe(AppConfig.name, () => {
  it('splits REDIS_CLUSTER_NODES into hosts and ports, and knows when Redis is embedded', () => {
    const cluster = new AppConfig(
      validateEnvironment({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' }),
    );
    expect(cluster.redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(cluster.embeddedRedis).toBe(false);
    expect(new AppConfig(validateEnvironment({})).embeddedRedis).toBe(true);
  });

  it('reads the Sentinels, TLS and the ACL user of every Redis connection; Sentinels alone are not embedded', () => {
    const config = new AppConfig(
      validateEnvironment({
        REDIS_SENTINELS: 's1:26379,s2:26380',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_TLS: 'true',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'app-secret',
      }),
    );
    expect(config.redis).toMatchObject({
      sentinels: {
        nodes: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26380 },
        ],
        masterName: 'mymaster',
        username: undefined,
        password: 'sentinel-secret',
      },
      tls: true,
      username: 'app',
      password: 'app-secret',
    });
    expect(config.embeddedRedis).toBe(false);
    expect(new AppConfig(validateEnvironment({})).redis).toMatchObject({ tls: false });
    expect(new AppConfig(validateEnvironment({})).redis.sentinels).toBeUndefined();
  });

  it('lists the lock quorum masters of LOCK_REDIS_NODES, none when unset', () => {
    const env = validateEnvironment({ LOCK_REDIS_NODES: 'redis://a:1,redis://b:2,redis://c:3' });
    expect(new AppConfig(env).lock.redisNodes).toEqual([
      'redis://a:1',
      'redis://b:2',
      'redis://c:3',
    ]);
    expect(new AppConfig(validateEnvironment({})).lock.redisNodes).toBeUndefined();
  });

  it('is production exactly when NODE_ENV=production', () => {
    const env = validateEnvironment({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) });
    expect(new AppConfig(env).production).toBe(true);
    expect(new AppConfig(validateEnvironment({ NODE_ENV: 'test' })).production).toBe(false);
  });
});
