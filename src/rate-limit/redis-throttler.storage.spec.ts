import type { RedisClient } from '../redis/redis.constants';
import { RateLimitStoreUnavailableError, RedisThrottlerStorage } from './redis-throttler.storage';

type Reply = [number, number, number, number];

/** The parts of an ioredis client the storage uses, recording the writes its socket would see. */
function fakeClient(isCluster: boolean) {
  const writes: string[][] = [];
  let corked: string[] | null = null;
  const client = {
    isCluster,
    status: 'ready',
    stream: {
      cork: () => (corked = []),
      uncork: () => {
        if (corked?.length) writes.push(corked);
        corked = null;
      },
    },
    defineCommand: jest.fn(),
    throttlerIncrement: jest.fn((hitKey: string, _blockKey: string, _name: string, ttl: number) => {
      if (corked) corked.push(hitKey);
      else writes.push([hitKey]);
      if (hitKey.includes('broken')) return Promise.reject(new Error('ERR broken'));
      const reply: Reply = [
        hitKey.includes('blocked') ? 11 : 1,
        ttl,
        hitKey.includes('blocked') ? 1 : 0,
        1500,
      ];
      return Promise.resolve(reply);
    }),
  };
  return { client, writes };
}

describe(RedisThrottlerStorage.name, () => {
  it('sends the hits asked for in one turn of the event loop to a standalone Redis in one write, each answered on its own', async () => {
    const { client, writes } = fakeClient(false);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    const [a, b, blocked] = await Promise.all([
      sut.increment('a', 60_000, 10, 60_000, 'default'),
      sut.increment('b', 60_000, 10, 60_000, 'default'),
      sut.increment('blocked', 60_000, 10, 60_000, 'default'),
    ]);
    expect(writes).toEqual([['{a:default}:hits', '{b:default}:hits', '{blocked:default}:hits']]);
    expect(a).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60, blockMs: 0 });
    expect(b).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(blocked).toEqual({
      totalHits: 11,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 2,
      blockMs: 1500,
    });

    await sut.increment('c', 60_000, 10, 60_000, 'default');
    expect(writes).toHaveLength(2);
  });

  it('fails only the hit whose command failed', async () => {
    const { client } = fakeClient(false);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    const [ok, broken] = await Promise.allSettled([
      sut.increment('ok', 1000, 1, 1000, 'default'),
      sut.increment('broken', 1000, 1, 1000, 'default'),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(broken).toMatchObject({ status: 'rejected', reason: new Error('ERR broken') });
  });

  it('sends each hit as its own command on a Cluster', async () => {
    const { client, writes } = fakeClient(true);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    await Promise.all([
      sut.increment('a', 1000, 1, 1000, 'default'),
      sut.increment('b', 1000, 1, 1000, 'default'),
    ]);
    expect(writes).toEqual([['{a:default}:hits'], ['{b:default}:hits']]);
  });

  it('fails at once while the client is not connected', async () => {
    const { client } = fakeClient(false);
    client.status = 'reconnecting';
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    await expect(sut.increment('a', 1000, 1, 1000, 'default')).rejects.toBeInstanceOf(
      RateLimitStoreUnavailableError,
    );
    expect(client.throttlerIncrement).not.toHaveBeenCalled();
  });
});
