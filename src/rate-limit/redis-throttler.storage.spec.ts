import type { RedisClient } from '../redis/redis.constants';
import { RateLimitStoreUnavailableError, RedisThrottlerStorage } from './redis-throttler.storage';

/** The parts of an ioredis client the storage uses; each script call answers "one hit, open". */
function fakeClient(isCluster: boolean) {
  const client = {
    isCluster,
    status: 'ready',
    defineCommand: jest.fn(),
    throttlerIncrement: jest.fn((keys: number, ..._args: (string | number)[]) =>
      Promise.resolve(Array.from({ length: keys / 2 }, () => [1, 1000, 0, 0]).flat()),
    ),
  };
  return client;
}

const hits = (sut: RedisThrottlerStorage, clients: number) =>
  Promise.all(
    Array.from({ length: clients }, (_, i) => sut.increment(`c${i}`, 1000, 5, 1000, 'default')),
  );

describe(RedisThrottlerStorage.name, () => {
  it('counts the hits of one turn of the event loop on a standalone Redis in one call, at most 256 per call', async () => {
    const client = fakeClient(false);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    const records = await hits(sut, 300);
    expect(client.throttlerIncrement.mock.calls.map(([keys]) => keys)).toEqual([512, 88]);
    expect(records).toHaveLength(300);
    expect(records[299]).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 1 });
  });

  it('sends each hit alone on a Cluster, where one script reaches one slot only', async () => {
    const client = fakeClient(true);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    await hits(sut, 3);
    expect(client.throttlerIncrement.mock.calls.map(([keys, hitKey]) => [keys, hitKey])).toEqual([
      [2, '{c0:default}:hits'],
      [2, '{c1:default}:hits'],
      [2, '{c2:default}:hits'],
    ]);
  });

  it('starts every key with its key prefix, before the hash tag of the client and throttler', async () => {
    const client = fakeClient(true);
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient, 'app:rate-limit:');
    await hits(sut, 1);
    expect(client.throttlerIncrement.mock.calls[0].slice(0, 3)).toEqual([
      2,
      'app:rate-limit:{c0:default}:hits',
      'app:rate-limit:{c0:default}:blocked',
    ]);
  });

  it('fails at once while the client is not connected', async () => {
    const client = fakeClient(false);
    client.status = 'reconnecting';
    const sut = new RedisThrottlerStorage(client as unknown as RedisClient);
    await expect(sut.increment('a', 1000, 1, 1000, 'default')).rejects.toBeInstanceOf(
      RateLimitStoreUnavailableError,
    );
    expect(client.throttlerIncrement).not.toHaveBeenCalled();
  });
});
