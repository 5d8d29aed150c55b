import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { cachedEverywhere, everyReadShows, patchPrice } from './support/failover-reads';
import { crash, resume, pause, writeUnreplicated } from './support/lost-write';
import { waitFor } from './support/ports';
import { ACL_USER, clientsOf, grantReadmeUser } from './support/readme-acl';
import { RedisCluster, RedisServer } from './support/redis-server';
import { signIn } from './support/report-client';
import { isolatedEnv } from './support/test-env';
import { TlsCertificates } from './support/tls-certificates';

const ADMIN_PASSWORD = 'admin-secret';
const APP_PASSWORD = 'app-secret';

type SlotRange = [start: number, end: number, ...nodes: [host: string, port: number][]];

describe('A Redis Cluster over TLS, as the ACL user, failing over right after a write (e2e)', () => {
  let certificates: TlsCertificates;
  let cluster: RedisCluster;
  let instances: AppInstance[] = [];
  let cookie: string;
  let seq = 0;

  beforeAll(async () => {
    certificates = TlsCertificates.create();
    cluster = await RedisCluster.start({ tls: certificates, password: ADMIN_PASSWORD });
    for (const server of cluster.servers) await grantReadmeUser(server, APP_PASSWORD);
    const env = await isolatedEnv({
      REDIS_CLUSTER_NODES: cluster.nodes,
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: certificates.caFile,
      REDIS_USERNAME: ACL_USER,
      REDIS_PASSWORD: APP_PASSWORD,
      REDIS_KEY_PREFIX: 'app',
      CACHE_L1_MAX_ENTRIES: '100',
      THROTTLE_LIMIT: '100000',
    });
    instances = await startInstances(2, env);
    cookie = await signIn(instances[0]);
  }, 120_000);

  afterAll(async () => {
    await closeAll(instances);
    await cluster?.destroy();
    certificates?.destroy();
  });

  /** The master that holds the product cache (hash tag `{product}`) and its replica, once it has one. */
  async function productShard(): Promise<{ master: RedisServer; replica: RedisServer }> {
    const byPort = (port: number) => cluster.servers.find((server) => server.port === port)!;
    let shard: { master: RedisServer; replica: RedisServer } | undefined;
    await waitFor(
      async () => {
        const client = cluster.servers.find((server) => server.pid)!.admin();
        try {
          const slot = Number(await client.cluster('KEYSLOT', '{product}'));
          const ranges = (await client.cluster('SLOTS')) as unknown as SlotRange[];
          const [, , master, replica] = ranges.find(
            ([start, end]) => start <= slot && slot <= end,
          )!;
          if (replica) shard = { master: byPort(master[1]), replica: byPort(replica[1]) };
          return replica !== undefined;
        } finally {
          client.disconnect();
        }
      },
      20_000,
      'the product shard to have a replica',
    );
    return shard!;
  }

  it('serves over TLS on every node, every connection signed in as the ACL user and speaking RESP2', async () => {
    const id = await cachedEverywhere(instances, cookie, `Kettle ${++seq}`);
    await patchPrice(instances, cookie, id, 11);
    await everyReadShows(instances, id, 11);
    for (const server of cluster.servers) {
      const client = server.admin();
      const connections = await clientsOf(server);
      expect(connections.filter((line) => !line.includes(` user=${ACL_USER} `))).toEqual([]);
      expect(connections.filter((line) => !line.includes(' resp=2'))).toEqual([]);
      expect(await client.call('ACL', 'LOG')).toEqual([]);
      client.disconnect();
    }
  });

  it('answers no instance with the old value after the replica is promoted by hand (CLUSTER FAILOVER TAKEOVER) while the old master lives on, without the write', async () => {
    const id = await cachedEverywhere(instances, cookie, `Kettle ${++seq}`);
    const { master, replica } = await productShard();
    await writeUnreplicated(master, replica, () => patchPrice(instances, cookie, id, 12));
    pause(master); // its clients' connections stay open: they learn of the change by a redirection
    resume(replica);
    const promoted = replica.admin();
    await promoted.cluster('FAILOVER', 'TAKEOVER');
    await waitFor(
      async () => (await promoted.info('replication')).includes('role:master'),
      10_000,
      'the replica to take over',
    );
    promoted.disconnect();
    resume(master);
    await everyReadShows(instances, id, 12);
  });

  it('answers no instance with the old value after a master crashed before its replica had the write', async () => {
    const id = await cachedEverywhere(instances, cookie, `Kettle ${++seq}`);
    const { master, replica } = await productShard();
    await writeUnreplicated(master, replica, () => patchPrice(instances, cookie, id, 13));
    crash(master);
    resume(replica);
    const promoted = replica.admin();
    await promoted.cluster('FAILOVER', 'TAKEOVER'); // at once, rather than after the node timeout
    await waitFor(
      async () => (await promoted.info('replication')).includes('role:master'),
      10_000,
      'the replica to be promoted',
    );
    promoted.disconnect();
    await everyReadShows(instances, id, 13);
  });
});
