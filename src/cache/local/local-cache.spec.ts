import { LocalCache } from './local-cache';

describe(LocalCache.name, () => {
  let now: number;
  let sut: LocalCache;
  const none = { keys: [], tags: [], all: false };

  beforeEach(() => {
    now = 1_000_000;
    sut = new LocalCache(100, 5_000, () => now);
    sut.open();
  });

  const store = (key: string, value: string, tags: string[] = [], ttlMs = 60_000) => {
    sut.set(key, sut.begin()!, value, tags, ttlMs);
  };

  it('serves nothing and stores nothing until its subscription is open, nor after it closed', () => {
    const closed = new LocalCache(100, 5_000, () => now);
    expect(closed.begin()).toBeNull();
    store('k', 'v');
    expect(sut.get('k')).toBe('v');
    const ticket = sut.begin()!;
    sut.close();
    expect(sut.get('k')).toBeUndefined();
    sut.open();
    sut.set('k', ticket, 'v', [], 60_000); // a read from before the drop
    expect(sut.get('k')).toBeUndefined();
  });

  it('does not keep a read that a key, tag or whole-cache invalidation overtook while it was in flight', () => {
    for (const overtaking of [
      { ...none, keys: ['k'] },
      { ...none, tags: ['t'] },
      { ...none, all: true },
    ]) {
      const ticket = sut.begin()!;
      sut.invalidate(overtaking);
      sut.set('k', ticket, 'old', ['t'], 60_000);
      expect(sut.get('k')).toBeUndefined();
    }
    const unrelated = sut.begin()!;
    sut.invalidate({ ...none, keys: ['other'], tags: ['u'] });
    sut.set('k', unrelated, 'fresh', ['t'], 60_000);
    expect(sut.get('k')).toBe('fresh');
  });

  it('stops serving a copy once one of its tags or the whole cache is invalidated', () => {
    store('a', '1', ['t']);
    store('b', '2', ['u']);
    sut.invalidate({ ...none, tags: ['t'] });
    expect([sut.get('a'), sut.get('b')]).toEqual([undefined, '2']);
    store('a', '1', ['t']);
    expect(sut.get('a')).toBe('1');
    sut.invalidate({ ...none, all: true });
    expect([sut.get('a'), sut.get('b')]).toEqual([undefined, undefined]);
  });

  it('never serves a copy past the max age, nor past what remained of the entry', () => {
    store('long', 'v', [], 60_000);
    store('short', 'v', [], 1_000);
    now += 1_001;
    expect(sut.get('short')).toBeUndefined();
    expect(sut.get('long')).toBe('v');
    now += 4_000;
    expect(sut.get('long')).toBeUndefined();
  });

  it('does not keep a read that began longer ago than the max age (its stamps may be gone)', () => {
    const ticket = sut.begin()!;
    now += 5_000;
    sut.set('k', ticket, 'v', [], 60_000);
    expect(sut.get('k')).toBeUndefined();
  });

  it('holds at most its size, dropping the least recently used', () => {
    const small = new LocalCache(2, 5_000, () => now);
    small.open();
    for (const key of ['a', 'b']) small.set(key, small.begin()!, key, [], 60_000);
    small.get('a');
    small.set('c', small.begin()!, 'c', [], 60_000);
    expect([small.get('a'), small.get('b'), small.get('c')]).toEqual(['a', undefined, 'c']);
  });
});
