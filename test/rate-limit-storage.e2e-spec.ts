import { Cluster, Redis } from 'ioredis';
import { RedisThrottlerStorage } from '../src/rate-limit/redis-throttler.storage';
import { RedisCluster, RedisServer } from './support/redis-server';
import { scriptRuns } from './support/redis-stats';

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ready = (client: Redis | Cluster) => new Promise((resolve) => client.once('ready', resolve));

describe('RedisThrottlerStorage on a real Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  let sut: RedisThrottlerStorage;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    await ready(redis);
    sut = new RedisThrottlerStorage(redis);
    await sut.increment('warm-up', MINUTE, 10, MINUTE, 'default');
  });

  afterAll(async () => {
    redis.disconnect();
    await server.destroy();
  });

  it('counts the hits of many clients asked for in one tick with one script call, each answered on its own', async () => {
    const before = await scriptRuns([server.url]);
    const records = await Promise.all(
      ['a', 'b', 'c', 'a'].map((client) => sut.increment(client, MINUTE, 10, MINUTE, 'default')),
    );
    expect(await scriptRuns([server.url])).toBe(before + 1);
    expect(records.map((record) => record.totalHits)).toEqual([1, 1, 1, 2]);
    expect(records.every((record) => !record.isBlocked && record.timeToExpire === 60)).toBe(true);
  });

  it('admits exactly the limit of one client whose hits share a call, and blocks the rest', async () => {
    const records = await Promise.all(
      Array.from({ length: 5 }, () => sut.increment('greedy', MINUTE, 3, 1_500, 'default')),
    );
    expect(records.map((record) => [record.totalHits, record.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
    ]);
    expect(records[3]).toMatchObject({ timeToBlockExpire: 2, blockMs: 1_500 });
  });

  it('blocks a client again while its window lasts, and counts from one once window and block end', async () => {
    const hit = (ttl: number) => sut.increment('paused', ttl, 1, 200, 'default');
    await hit(600);
    expect((await hit(600)).isBlocked).toBe(true);
    await sleep(300);
    expect(await hit(600)).toMatchObject({ totalHits: 3, isBlocked: true });
    await sleep(700);
    expect(await hit(600)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps throttlers apart: one client has a count per throttler', async () => {
    await sut.increment('both', MINUTE, 10, MINUTE, 'default');
    const login = await sut.increment('both', MINUTE, 10, MINUTE, 'login');
    expect(login.totalHits).toBe(1);
  });

  it('rejects every hit of a call that fails', async () => {
    const broken = new Redis(server.url);
    await ready(broken);
    const storage = new RedisThrottlerStorage(broken);
    await storage.increment('x', MINUTE, 10, MINUTE, 'default');
    await broken.set('{wrong-type:default}:hits', 'not a number');
    const outcomes = await Promise.allSettled([
      storage.increment('fine', MINUTE, 10, MINUTE, 'default'),
      storage.increment('wrong-type', MINUTE, 10, MINUTE, 'default'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    broken.disconnect();
  });
});

describe('RedisThrottlerStorage on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    client = new Cluster(
      cluster.nodes.split(',').map((node) => {
        const [host, port] = node.split(':');
        return { host, port: Number(port) };
      }),
    );
    await ready(client);
  });

  afterAll(async () => {
    client.disconnect();
    await cluster.destroy();
  });

  it('counts clients of every slot, one call each, exactly', async () => {
    const sut = new RedisThrottlerStorage(client);
    const clients = Array.from({ length: 20 }, (_, i) => `client-${i}`);
    const records = await Promise.all(
      [...clients, ...clients].map((c) => sut.increment(c, MINUTE, 1, MINUTE, 'default')),
    );
    expect(records.slice(0, 20).every((record) => record.totalHits === 1)).toBe(true);
    expect(records.slice(20).every((record) => record.isBlocked)).toBe(true);
  });
});
