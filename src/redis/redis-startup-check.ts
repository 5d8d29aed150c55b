import { Cluster } from 'ioredis';
import type { AppConfig, RedisSettings } from '../config/app-config';
import { UserFacingError } from '../common/user-facing-error';
import { RedisClientFactory, RedisTarget } from './redis-client.factory';
import type { RedisClient } from './redis.constants';

/** How long start-up waits for a Redis to answer or refuse before it starts without it. */
const PROBE_TIMEOUT_MS = 10_000;

/** A Redis the configuration names, and the variables that say where it is and who to sign in as. */
export interface ProbedRedis {
  target: RedisTarget;
  /** The variable naming it: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS, CACHE_REDIS_URL, … */
  variable: string;
  /** The variable of its credentials: its URL's variable when the URL names them. */
  credentials: string;
}

/**
 * Connects once to every Redis the configuration names (the project's, the cache's, the lock's
 * masters) before the service starts, and refuses to start on what waiting cannot mend: credentials
 * Redis refuses, a certificate that is not trusted, Sentinels that cannot be reached or do not know the
 * master. Throws one line per such fault, naming the variable and never a secret. A Redis that is
 * merely down does not stop start-up: the service serves without it until it is back.
 */
export async function checkRedisAtStartup(config: AppConfig): Promise<void> {
  const factory = new RedisClientFactory(config.redis);
  const lines = await Promise.all(
    redisesOf(config).map(async (redis) => {
      const client = factory.create(redis.target);
      if (!client) return undefined;
      const fault = await firstFault(client);
      return fault && describeFault(fault, redis, config.redis);
    }),
  );
  const faults = [...new Set(lines.filter((line) => line !== undefined))];
  if (faults.length > 0) throw new UserFacingError(faults.join('\n'));
}

/** Every Redis the configuration names, as {@link checkRedisAtStartup} probes them. */
export function redisesOf(config: AppConfig): ProbedRedis[] {
  const { redis, cache, lock } = config;
  const passwordVariable =
    redis.username !== undefined ? 'REDIS_USERNAME/REDIS_PASSWORD' : 'REDIS_PASSWORD';
  const ofUrl = (url: string, variable: string): ProbedRedis => ({
    target: { url },
    variable,
    credentials: namesUser(url) ? variable : passwordVariable,
  });
  const ofTarget = (target: RedisTarget, prefix: '' | 'CACHE_'): ProbedRedis | undefined => {
    if (target.clusterNodes) {
      return {
        target: { clusterNodes: target.clusterNodes },
        variable: `${prefix}REDIS_CLUSTER_NODES`,
        credentials: passwordVariable,
      };
    }
    if (target.sentinels) {
      return {
        target: { sentinels: target.sentinels },
        variable: 'REDIS_SENTINELS',
        credentials: passwordVariable,
      };
    }
    return target.url ? ofUrl(target.url, `${prefix}REDIS_URL`) : undefined;
  };
  return [
    ofTarget(redis, ''),
    cache.redis && ofTarget(cache.redis, 'CACHE_'),
    ...(lock.redisNodes ?? []).map((url) => ofUrl(url, 'LOCK_REDIS_NODES')),
  ].filter((probed) => probed !== undefined);
}

/** What went wrong on the first attempt: a connection, a node or the Sentinels. */
export interface Fault {
  error: Error & { code?: string };
  /** The Cluster node, for a node's error. */
  node?: string;
}

/** The first error of a new client, or undefined once it is ready (or still trying after a while). */
function firstFault(client: RedisClient): Promise<Fault | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (fault?: Fault) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.disconnect();
      resolve(fault);
    };
    const timer = setTimeout(() => finish(), PROBE_TIMEOUT_MS);
    client.once('ready', () => finish());
    client.on('error', (error: Error) => finish({ error }));
    if (client instanceof Cluster) {
      client.on('node error', (error: Error, node: string) => finish({ error, node }));
    }
  });
}

const UNTRUSTED_CERTIFICATE =
  /certificate|altnames|UNABLE_TO_VERIFY|SELF_SIGNED|CERT_|ERR_TLS_CERT|unable to get (local )?issuer/i;
const REFUSED_CREDENTIALS = /WRONGPASS|invalid password|invalid username-password|NOAUTH/;

/** The line that stops start-up for `fault`, or undefined when the service may start without Redis. */
export function describeFault(
  { error, node }: Fault,
  redis: ProbedRedis,
  settings: Pick<RedisSettings, 'password' | 'sentinels'>,
): string | undefined {
  const reason = `${error.code ? `${error.code}: ` : ''}${error.message}`;
  const sentinels = redis.target.sentinels;
  const where = node
    ? `Redis Cluster node ${node}`
    : sentinels
      ? `the master "${sentinels.masterName}" of REDIS_SENTINELS`
      : redis.target.url
        ? `Redis at ${new URL(redis.target.url).host}`
        : `the Redis Cluster of ${redis.variable}`;
  let line: string | undefined;
  if (sentinels && error.message.startsWith('All sentinels are unreachable')) {
    const list = sentinels.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    // ioredis says it retries; what matters is why the last Sentinel failed.
    const last = /Last error: (.*)$/.exec(error.message)?.[1] ?? 'no answer';
    if (UNTRUSTED_CERTIFICATE.test(last)) {
      line = `REDIS_TLS_CA_FILE: the certificate of a Sentinel of ${list} is not trusted (${last})`;
    } else if (REFUSED_CREDENTIALS.test(last)) {
      line = `REDIS_SENTINEL_USERNAME/REDIS_SENTINEL_PASSWORD: the Sentinels ${list} refused them (${last})`;
    } else if (/No such master/i.test(last)) {
      line = `REDIS_SENTINEL_MASTER: the Sentinels ${list} know no master named "${sentinels.masterName}"`;
    } else {
      line = `REDIS_SENTINELS: no Sentinel of ${list} answered (${last})`;
    }
  } else if (UNTRUSTED_CERTIFICATE.test(reason)) {
    line = `REDIS_TLS_CA_FILE: the certificate of ${where} is not trusted (${reason})`;
  } else if (REFUSED_CREDENTIALS.test(error.message)) {
    line = `${redis.credentials}: ${where} refused the user name or password (${reason})`;
  }
  const inUrl = redis.target.url && decodeURIComponent(new URL(redis.target.url).password);
  return line && hideSecrets(line, [settings.password, settings.sentinels?.password, inUrl]);
}

function namesUser(url: string): boolean {
  const { username, password } = new URL(url);
  return username !== '' || password !== '';
}

/** Redis never echoes a password, but a line that reached the log would be too late to check. */
function hideSecrets(line: string, secrets: (string | undefined)[]): string {
  return secrets.reduce<string>(
    (text, secret) => (secret ? text.split(secret).join('***') : text),
    line.replace(/\s+/g, ' '),
  );
}
