import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/validate-environment';
import { describeFault, ProbedRedis, redisesOf } from './redis-startup-check';

const config = (env: Record<string, string>) => new AppConfig(validateEnvironment(env));

const fault = (message: string, code?: string) => ({
  error: Object.assign(new Error(message), code ? { code } : {}),
});

const SENTINELS = {
  nodes: [
    { host: 's1', port: 26379 },
    { host: 's2', port: 26379 },
  ],
  masterName: 'cache',
};

describe(describeFault.name, () => {
  const standalone: ProbedRedis = {
    target: { url: 'rediss://redis.internal:6380' },
    variable: 'REDIS_URL',
    credentials: 'REDIS_PASSWORD',
  };
  const sentinel: ProbedRedis = {
    target: { sentinels: SENTINELS },
    variable: 'REDIS_SENTINELS',
    credentials: 'REDIS_USERNAME/REDIS_PASSWORD',
  };

  it('names the credentials variable when Redis refuses the user or password, never the password', () => {
    const settings = { password: 'hunter2' };
    const wrong = fault('WRONGPASS invalid username-password pair or user is disabled.');
    expect(describeFault(wrong, standalone, settings)).toBe(
      'REDIS_PASSWORD: Redis at redis.internal:6380 refused the user name or password ' +
        '(WRONGPASS invalid username-password pair or user is disabled.)',
    );
    const missing = fault('NOAUTH Authentication required.');
    expect(describeFault(missing, sentinel, settings)).toMatch(
      /^REDIS_USERNAME\/REDIS_PASSWORD: the master "cache" of REDIS_SENTINELS refused/,
    );
    const echoed = fault('WRONGPASS hunter2 is not it');
    expect(describeFault(echoed, standalone, settings)).not.toContain('hunter2');
  });

  it('names REDIS_TLS_CA_FILE when the server certificate is not trusted', () => {
    const untrusted = fault(
      'self-signed certificate in certificate chain',
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    expect(describeFault(untrusted, standalone, {})).toBe(
      'REDIS_TLS_CA_FILE: the certificate of Redis at redis.internal:6380 is not trusted ' +
        '(SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain)',
    );
    const node = { ...fault('unable to verify the first certificate'), node: '10.0.0.7:7000' };
    const cluster = {
      ...standalone,
      target: { clusterNodes: [] },
      variable: 'REDIS_CLUSTER_NODES',
    };
    expect(describeFault(node, cluster, {})).toMatch(
      /^REDIS_TLS_CA_FILE: the certificate of Redis Cluster node 10\.0\.0\.7:7000 is not trusted/,
    );
  });

  it('tells unreachable Sentinels from Sentinels that refuse their password or know no such master', () => {
    const unreachable = 'All sentinels are unreachable. Retrying from scratch after 50ms.';
    expect(
      describeFault(fault(`${unreachable} Last error: connect ECONNREFUSED`), sentinel, {}),
    ).toBe('REDIS_SENTINELS: no Sentinel of s1:26379,s2:26379 answered (connect ECONNREFUSED)');
    const refused = fault(`${unreachable} Last error: WRONGPASS invalid username-password pair`);
    expect(describeFault(refused, sentinel, {})).toMatch(
      /^REDIS_SENTINEL_USERNAME\/REDIS_SENTINEL_PASSWORD: the Sentinels s1:26379,s2:26379 refused/,
    );
    const unknown = fault(`${unreachable} Last error: ERR No such master with that name`);
    expect(describeFault(unknown, sentinel, {})).toBe(
      'REDIS_SENTINEL_MASTER: the Sentinels s1:26379,s2:26379 know no master named "cache"',
    );
    const untrusted = fault(`${unreachable} Last error: self-signed certificate`);
    expect(describeFault(untrusted, sentinel, {})).toMatch(/^REDIS_TLS_CA_FILE: /);
  });

  it('lets the service start without a Redis that is merely down', () => {
    for (const message of [
      'connect ECONNREFUSED 127.0.0.1:6379',
      'connect ETIMEDOUT',
      'read ECONNRESET',
    ]) {
      expect(describeFault(fault(message), standalone, {})).toBeUndefined();
    }
  });
});

describe(redisesOf.name, () => {
  it('probes the Redis of the service, the cache Redis apart and every lock master, each by its variable', () => {
    const probed = redisesOf(
      config({
        REDIS_URL: 'redis://main:6379',
        REDIS_SENTINELS: 's1:26379,s2:26379',
        CACHE_REDIS_URL: 'rediss://ops:pw@cache:6380',
        LOCK_REDIS_NODES: 'redis://l1:1,redis://l2:1,redis://l3:1',
        REDIS_PASSWORD: 'secret',
      }),
    );
    expect(probed.map(({ variable, credentials }) => [variable, credentials])).toEqual([
      ['REDIS_SENTINELS', 'REDIS_PASSWORD'],
      ['CACHE_REDIS_URL', 'CACHE_REDIS_URL'],
      ['LOCK_REDIS_NODES', 'REDIS_PASSWORD'],
      ['LOCK_REDIS_NODES', 'REDIS_PASSWORD'],
      ['LOCK_REDIS_NODES', 'REDIS_PASSWORD'],
    ]);
    expect(redisesOf(config({ REDIS_CLUSTER_NODES: 'a:1', REDIS_USERNAME: 'app' }))).toEqual([
      {
        target: { clusterNodes: [{ host: 'a', port: 1 }] },
        variable: 'REDIS_CLUSTER_NODES',
        credentials: 'REDIS_USERNAME/REDIS_PASSWORD',
      },
    ]);
    expect(redisesOf(config({}))).toEqual([]);
  });
});
