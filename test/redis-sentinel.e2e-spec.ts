import request from 'supertest';
import { AppInstance, closeAll, startInstance, startInstances } from './support/app-instance';
import { cachedEverywhere, everyReadShows, patchPrice } from './support/failover-reads';
import { crash, resume, writeUnreplicated } from './support/lost-write';
import { waitFor } from './support/ports';
import { ACL_USER, clientsOf, grantReadmeUser } from './support/readme-acl';
import type { RedisServer } from './support/redis-server';
import { signIn } from './support/report-client';
import { SentinelGroup } from './support/sentinel-group';
import { signedInAgent } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';
import { TlsCertificates } from './support/tls-certificates';

const ADMIN_PASSWORD = 'admin-secret';
const APP_PASSWORD = 'app-secret';
const SENTINEL_PASSWORD = 'sentinel-secret';
const LOGIN_LIMIT = 3;
/** The API's promise: whole again this long after the promotion. */
const WHOLE_WITHIN_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Public reads on every instance and product writes through the admin routes, each loop a request at
 * a time, until stopped: what every answer was, and the price of every write answered 200.
 */
class SteadyLoad {
  readonly reads: { status: number; cache: string | null }[] = [];
  readonly writes: { id: string; price: number; status: number }[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(instances: AppInstance[], ids: string[], cookie: string) {
    const reader = async (url: string) => {
      for (let i = 0; this.running; i++) {
        const path = i % 2 ? `/products/${ids[i % ids.length]}` : '/products?category=failover';
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        this.reads.push({ status: res.status, cache: res.headers.get('x-cache') });
        await sleep(5);
      }
    };
    const writer = async () => {
      for (let i = 0; this.running; i++) {
        const id = ids[i % ids.length];
        const price = 100 + i;
        const res = await fetch(`${instances[i % instances.length].url}/products/${id}`, {
          method: 'PATCH',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ price }),
        });
        await res.arrayBuffer();
        this.writes.push({ id, price, status: res.status });
        await sleep(20);
      }
    };
    this.loops = [...instances.map(({ url }) => reader(url)), writer()];
  }

  /** Writes answered 200, and so committed and invalidated, so far. */
  get written(): number {
    return this.writes.filter((write) => write.status === 200).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** The price of each product's last write answered 200. */
  lastPrices(): Map<string, number> {
    const prices = new Map<string, number>();
    for (const { id, price, status } of this.writes) if (status === 200) prices.set(id, price);
    return prices;
  }
}

describe('Redis behind three Sentinels, over TLS as the ACL user: the master fails under load (e2e)', () => {
  let certificates: TlsCertificates;
  let group: SentinelGroup;
  let instances: AppInstance[] = [];
  let env: Record<string, string>;
  let cookie: string;
  let seq = 0;

  beforeAll(async () => {
    certificates = TlsCertificates.create();
    group = await SentinelGroup.start(
      { tls: certificates, password: ADMIN_PASSWORD },
      SENTINEL_PASSWORD,
    );
    for (const server of group.servers) await grantReadmeUser(server, APP_PASSWORD);
    // REDIS_URL (the shared test Redis, which knows no such user) stays set: the Sentinels win.
    env = await isolatedEnv({
      REDIS_SENTINELS: group.addresses,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: certificates.caFile,
      REDIS_USERNAME: ACL_USER,
      REDIS_PASSWORD: APP_PASSWORD,
      REDIS_KEY_PREFIX: 'app',
      CACHE_L1_MAX_ENTRIES: '100',
      THROTTLE_LIMIT: '1000000',
      LOGIN_THROTTLE_LIMIT: String(LOGIN_LIMIT),
    });
    instances = await startInstances(2, env);
    cookie = await signIn(instances[0]);
  }, 120_000);

  afterAll(async () => {
    await closeAll(instances);
    await group?.destroy();
    certificates?.destroy();
  });

  /** Every instance serves its cache and sessions again: the service is whole. */
  async function whole(id: string): Promise<boolean> {
    const answers = await Promise.all(
      instances.flatMap(({ url }) => [
        request(url).get('/health'),
        request(url).get('/auth/me').set('Cookie', cookie),
        request(url).get(`/products/${id}`),
      ]),
    );
    return answers.every((res) => res.status === 200 && res.headers['x-cache'] !== 'BYPASS');
  }

  /** Until the Sentinels name `server` as the master; when they first did. */
  async function promoted(server: RedisServer): Promise<number> {
    await waitFor(
      async () => (await group.masterPort()) === server.port,
      30_000,
      `the Sentinels to promote the replica on ${server.port}`,
    );
    return Date.now();
  }

  /** Brings a crashed server back, empty, as the replica of the master the Sentinels name. */
  async function rejoin(server: RedisServer): Promise<void> {
    await server.start();
    await grantReadmeUser(server, APP_PASSWORD);
    const admin = server.admin();
    await admin.call('REPLICAOF', '127.0.0.1', String(await group.masterPort()));
    admin.disconnect();
    await group.replicated(server);
    await group.knownReplica(server);
  }

  it('signs in every connection as the ACL user, over TLS, through the Sentinels, no command denied', async () => {
    const { master } = await group.roles();
    // The Sentinels' own connections name themselves.
    const connections = (await clientsOf(master)).filter((line) => !/ name=sentinel-/.test(line));
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.filter((line) => !line.includes(` user=${ACL_USER} `))).toEqual([]);
    const admin = master.admin();
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
    admin.disconnect();
  });

  it('refuses to start, naming the variable, when the Sentinels know no such master or refuse their password', async () => {
    await expect(startInstance({ ...env, REDIS_SENTINEL_MASTER: 'elsewhere' })).rejects.toThrow(
      /^REDIS_SENTINEL_MASTER: the Sentinels .* know no master named "elsewhere"$/,
    );
    await expect(startInstance({ ...env, REDIS_SENTINEL_PASSWORD: 'wrong' })).rejects.toThrow(
      /^REDIS_SENTINEL_USERNAME\/REDIS_SENTINEL_PASSWORD: the Sentinels .* refused them \(WRONGPASS/,
    );
  });

  it('answers no instance with the old value after the master crashed before its replica had the write', async () => {
    const id = await cachedEverywhere(instances, cookie, `Lantern ${++seq}`);
    const { master, replica } = await group.roles();
    await writeUnreplicated(master, replica, () => patchPrice(instances, cookie, id, 12));
    crash(master);
    resume(replica);
    await promoted(replica);
    await everyReadShows(instances, id, 12);
    await rejoin(master);
  });

  it('follows the promoted replica within 10 s of the promotion under steady reads and writes on two instances, with no 5xx on public reads; sessions and rate limits work after', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await cachedEverywhere(instances, cookie, `Lantern ${++seq}`));
    const { master, replica } = await group.roles();
    await group.replicated(replica); // the admin's session is on both
    const load = new SteadyLoad(instances, ids, cookie);
    await waitFor(async () => Promise.resolve(load.written >= 5), 20_000, 'the load to run');

    crash(master);
    const killedAt = Date.now();
    const promotedAt = await promoted(replica);
    await waitFor(() => whole(ids[0]), WHOLE_WITHIN_MS, 'the service to be whole again');
    const wholeAt = Date.now();
    console.log(
      `Sentinel failover under load: the replica was promoted ${promotedAt - killedAt} ms after ` +
        `the master was killed; the service was whole again ${wholeAt - promotedAt} ms after the ` +
        `promotion (bound: ${WHOLE_WITHIN_MS} ms)`,
    );
    const writtenBefore = load.written;
    await waitFor(
      async () => Promise.resolve(load.written >= writtenBefore + 5),
      20_000,
      'writes to succeed again',
    );
    await load.stop();

    expect(load.reads.filter(({ status }) => status >= 500)).toEqual([]);
    expect(load.reads.some(({ cache }) => cache === 'BYPASS')).toBe(true); // it did see the outage
    for (const [id, price] of load.lastPrices()) await everyReadShows(instances, id, price);

    await request(instances[1].url).get('/auth/me').set('Cookie', cookie).expect(200);
    const member = await signedInAgent(instances[1].url);
    await member.agent.get('/auth/me').expect(200);
    const email = `nobody-${ids[0]}@example.com`;
    const attempts: number[] = [];
    for (let i = 0; i <= LOGIN_LIMIT; i++) {
      const url = instances[i % instances.length].url;
      attempts.push(
        (await request(url).post('/auth/login').send({ email, password: 'nope' })).status,
      );
    }
    expect(attempts).toEqual([...Array<number>(LOGIN_LIMIT).fill(401), 429]);
  });
});
