import { Injectable } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheEvict, Cacheable, CacheModule, CacheService } from '../src/cache';
import { isolatedEnv } from './support/test-env';

/** A gate a test opens by hand: the loader below waits on it after reading the "database". */
class Gate {
  private open?: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open?.();
  }
}

/** A decorated provider over an in-memory "database" whose loads the test can hold up. */
@Injectable()
class Catalog {
  readonly rows = new Map<string, { value: string; group: string }>();
  loads = 0;
  hold?: Gate;
  loaded?: () => void;

  @Cacheable({ name: 'race_item', key: (id: string) => id, ttl: 60 })
  async item(id: string): Promise<string | null> {
    const value = this.rows.get(id)?.value ?? null;
    return this.afterRead(value);
  }

  @Cacheable({
    name: 'race_group',
    key: (group: string) => group,
    ttl: 60,
    tags: (_ids: string[], group: string) => [`group:${group}`],
  })
  async group(group: string): Promise<string[]> {
    const ids = [...this.rows].filter(([, row]) => row.group === group).map(([id]) => id);
    return this.afterRead(ids);
  }

  @CacheEvict({ name: 'race_item', key: (_r: void, id: string) => id })
  @CacheEvict({
    name: 'race_group',
    tags: (_r: void, _id: string, group: string) => [`group:${group}`],
  })
  async write(id: string, group: string, value: string): Promise<void> {
    this.rows.set(id, { value, group });
    return Promise.resolve();
  }

  private async afterRead<T>(value: T): Promise<T> {
    this.loads++;
    this.loaded?.();
    if (this.hold) await this.hold.opened;
    return value;
  }
}

describe.each([0, 1000])('Race-free fills on a real Redis, L1 max entries %i (e2e)', (l1) => {
  let clients: Redis[];
  let prefix: string;
  let modules: TestingModule[];
  let one: Catalog;
  let two: Catalog;

  beforeAll(async () => {
    const { REDIS_URL, REDIS_KEY_PREFIX } = await isolatedEnv();
    prefix = REDIS_KEY_PREFIX;
    // Two instances of the library alone, each on its own ioredis client, as a lifted-out user has it.
    clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    // Until its client is connected a cache answers BYPASS; these tests are about a working cache.
    await Promise.all(clients.map((client) => client.ping()));
    modules = await Promise.all(
      clients.map((redis) =>
        Test.createTestingModule({
          imports: [CacheModule.forRoot({ redis, keyPrefix: REDIS_KEY_PREFIX, l1MaxEntries: l1 })],
          providers: [Catalog],
        }).compile(),
      ),
    );
    await Promise.all(modules.map((m) => m.init()));
    [one, two] = modules.map((m) => m.get(Catalog));
  });

  afterAll(async () => {
    await Promise.all(modules.map((m) => m.close()));
    clients.forEach((client) => client.disconnect());
  });

  /** Starts a read whose load has read the old state and now waits; answers it and a way to finish it. */
  async function slowRead<T>(catalog: Catalog, read: () => Promise<T>) {
    const gate = new Gate();
    catalog.hold = gate;
    const started = new Promise<void>((resolve) => (catalog.loaded = resolve));
    const pending = read();
    await started;
    catalog.hold = undefined;
    catalog.loaded = undefined;
    return { pending, finish: () => gate.release() };
  }

  it('does not store a value loaded before a concurrent write invalidated its key', async () => {
    await one.write('k1', 'g1', 'old');
    await two.write('k1', 'g1', 'old');
    const { pending, finish } = await slowRead(one, () => one.item('k1'));
    await one.write('k1', 'g1', 'new');
    await two.write('k1', 'g1', 'new'); // the second instance's "database" sees the same write
    finish();
    expect(await pending).toBe('old'); // the raced read answers what it read...
    expect(await one.item('k1')).toBe('new'); // ...but it never became the cached value
    expect(await two.item('k1')).toBe('new');
    const loads = one.loads + two.loads;
    expect([await one.item('k1'), await two.item('k1')]).toEqual(['new', 'new']);
    expect(one.loads + two.loads).toBe(loads); // and the fresh value is what is cached now
  });

  it('does not store a list loaded before a concurrent write invalidated its tag', async () => {
    const { pending, finish } = await slowRead(one, () => one.group('g2'));
    await one.write('k2', 'g2', 'x');
    await two.write('k2', 'g2', 'x');
    finish();
    expect(await pending).toEqual([]);
    expect(await one.group('g2')).toEqual(['k2']);
    expect(await two.group('g2')).toEqual(['k2']);
    const loads = one.loads + two.loads;
    expect([await one.group('g2'), await two.group('g2')]).toEqual([['k2'], ['k2']]);
    expect(one.loads + two.loads).toBe(loads);
  });

  it('does not store a value loaded before a write whose key stamp the cache Redis then evicted', async () => {
    await one.write('k5', 'g5', 'old');
    await two.write('k5', 'g5', 'old');
    const { pending, finish } = await slowRead(one, () => one.item('k5'));
    await one.write('k5', 'g5', 'new');
    await two.write('k5', 'g5', 'new');
    await clients[0].del(`${prefix}:{race_item}:!ver:k5`); // as allkeys-lru may
    finish();
    expect(await pending).toBe('old');
    expect(await two.item('k5')).toBe('new');
    expect(await one.item('k5')).toBe('new');
  });

  it("serves no entry that a tag invalidation overtook after the cache's metadata was evicted", async () => {
    await one.write('k6', 'g6', 'old');
    await two.write('k6', 'g6', 'old');
    expect(await one.group('g6')).toEqual(['k6']);
    await two.write('k7', 'g6', 'x');
    await one.write('k7', 'g6', 'x'); // the tag is invalidated; the old list stays in Redis
    await clients[0].del(`${prefix}:{race_group}:!meta`); // as allkeys-lru may
    expect(await two.group('g6')).toEqual(['k6', 'k7']);
    expect(await one.group('g6')).toEqual(['k6', 'k7']);
  });

  it('stores a null as a value when asked (cacheNull), and a create evicting its key is seen at once', async () => {
    const item = modules[0].get(CacheService);
    const load = jest.fn(() => Promise.resolve(null as string | null));
    const options = { ttl: 60, cacheNull: true };
    expect(await item.getOrLoad('race_null', 'a', load, options)).toBeNull();
    expect(await item.getOrLoad('race_null', 'a', load, options)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
    await item.evict('race_null', { keys: ['a'] });
    expect(await item.getOrLoad('race_null', 'a', () => Promise.resolve('created'), options)).toBe(
      'created',
    );
  });

  it('never stores a null unless asked to', async () => {
    const loads = one.loads;
    expect(await one.item('missing')).toBeNull();
    expect(await one.item('missing')).toBeNull();
    expect(one.loads - loads).toBe(2);
  });
});
