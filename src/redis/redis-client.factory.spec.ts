import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { RedisSettings } from '../config/app-config';
import { RedisClientFactory } from './redis-client.factory';
import type { RedisClient } from './redis.constants';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe(RedisClientFactory.name, () => {
  let dir: string;
  let caFile: string;
  const clients: RedisClient[] = [];

  /**
   * A standalone client of `settings`, closed after the test: only its options are looked at. (The
   * Cluster and Sentinel clients are checked against real servers, in the e2e tests.)
   */
  function made(settings: Partial<RedisSettings>, make: (sut: RedisClientFactory) => RedisClient) {
    const client = make(new RedisClientFactory({ tls: false, ...settings }));
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'factory-'));
    caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, CA);
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('speaks RESP2, without auto-pipelining, and makes nothing of no Redis', () => {
    const standalone = made({}, (sut) => sut.create({ url: 'redis://127.0.0.1:1' })!) as Redis;
    expect(standalone.options).toMatchObject({ protocol: 2, enableAutoPipelining: false });
    expect(new RedisClientFactory({ tls: false }).create({})).toBeNull();
  });

  it('secures a rediss:// URL with the CA file and signs in as the ACL user, unless the URL names one', () => {
    const settings = { tlsCaFile: caFile, username: 'app', password: 'app-secret' };
    const secure = made(settings, (sut) => sut.standalone('rediss://127.0.0.1:1')) as Redis;
    expect(secure.options.tls).toEqual({ ca: Buffer.from(CA) });
    expect(secure.options).toMatchObject({ username: 'app', password: 'app-secret' });
    const named = made(settings, (sut) => sut.standalone('redis://ops:url-secret@127.0.0.1:1'));
    expect((named as Redis).options).toMatchObject({ username: 'ops', password: 'url-secret' });
    expect((named as Redis).options.tls).toBeUndefined();
  });

  it('makes a subscriber connection like the node it duplicates, connecting when asked and resubscribing never', () => {
    const settings = { tlsCaFile: caFile, username: 'app', password: 'app-secret' };
    const node = made(settings, (sut) => sut.standalone('rediss://127.0.0.1:1')) as Redis;
    const subscriber = made(settings, (sut) => sut.subscriber(node)) as Redis;
    expect(subscriber.options).toMatchObject({
      tls: { ca: Buffer.from(CA) },
      username: 'app',
      password: 'app-secret',
      protocol: 2,
      lazyConnect: true,
      autoResubscribe: false,
    });
    expect(subscriber.status).toBe('wait');
  });
});
