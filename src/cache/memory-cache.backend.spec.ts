import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CacheKeys } from './cache-keys';
import { MemoryCacheBackend } from './memory-cache.backend';

describe(MemoryCacheBackend.name, () => {
  const keys = new CacheKeys('t', 'thing');
  const entry = (value: unknown, tags: string[] = [], ttlMs = 60_000) => ({
    value: JSON.stringify(value),
    tags,
    ttlMs,
    storeMs: ttlMs + 60_000,
  });
  let sut: MemoryCacheBackend;

  beforeEach(() => {
    sut = new MemoryCacheBackend(createCache({ stores: [new Keyv()] }));
  });

  it('hands one caller the fill lock and makes the others wait', async () => {
    const first = await sut.read(keys, 'k', 1000, 'a');
    const second = await sut.read(keys, 'k', 1000, 'b');
    expect(first.kind).toBe('lease');
    expect(second.kind).toBe('wait');
  });

  it('drops a fill overtaken by an invalidation of its key, and stores the next one', async () => {
    const raced = await sut.read(keys, 'k', 1000, 'a');
    if (raced.kind === 'hit') throw new Error('unexpected hit');
    await sut.invalidate(keys, { keys: ['k'], tags: [], all: false });
    expect(await sut.fill(keys, 'k', entry('old'), raced.lease)).toBe(false);
    const next = await sut.read(keys, 'k', 1000, 'b');
    if (next.kind === 'hit') throw new Error('unexpected hit');
    expect(await sut.fill(keys, 'k', entry('new'), next.lease)).toBe(true);
    expect(await sut.read(keys, 'k', 1000, 'c')).toMatchObject({
      kind: 'hit',
      value: '"new"',
      tags: [],
    });
  });

  it('treats an entry as a miss once one of its tags or the generation was invalidated', async () => {
    for (const invalidation of [
      { keys: [], tags: ['red'], all: false },
      { keys: [], tags: [], all: true },
    ]) {
      const lease = await sut.read(keys, 'list', 1000, 'a');
      if (lease.kind === 'hit') throw new Error('unexpected hit');
      await sut.fill(keys, 'list', entry(['x'], ['red']), lease.lease);
      expect((await sut.read(keys, 'list', 1000, 'b')).kind).toBe('hit');
      await sut.invalidate(keys, invalidation);
      expect((await sut.read(keys, 'list', 1000, 'c')).kind).toBe('lease');
      await sut.release(keys, 'list', { clock: 0, issuedAt: 0, token: 'c' });
    }
  });

  it('answers an expired entry as stale with the lease to refresh it', async () => {
    const lease = await sut.read(keys, 'k', 1000, 'a');
    if (lease.kind === 'hit') throw new Error('unexpected hit');
    await sut.fill(keys, 'k', entry(null, [], 1), lease.lease);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await sut.read(keys, 'k', 1000, 'b')).toMatchObject({ kind: 'lease', stale: 'null' });
  });
});
