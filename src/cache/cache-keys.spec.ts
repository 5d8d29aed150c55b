import { CacheKeys, assertCacheName, defaultKey, stableStringify } from './cache-keys';

describe(CacheKeys.name, () => {
  const sut = new CacheKeys('app', 'product');

  it('builds <prefix>:{<name>}:<key> with the cache name as the hash tag of every key', () => {
    expect(sut.entry('42')).toBe('app:{product}:42');
    for (const key of [
      sut.entry('x'),
      sut.lock('x'),
      sut.keyStamp('x'),
      sut.tagStamp('t'),
      sut.generation,
      sut.clock,
      sut.meta,
      sut.channel,
    ]) {
      expect(key.startsWith('app:{product}:')).toBe(true);
    }
  });

  it('never lets an entry key collide with a metadata key', () => {
    expect(sut.entry('!gen')).not.toBe(sut.generation);
    expect(sut.entry('!clock')).not.toBe(sut.clock);
    expect(sut.entry('!lock:x')).not.toBe(sut.lock('x'));
    expect(sut.entry('!!gen')).not.toBe(sut.entry('!gen'));
  });

  it('rejects cache names that would break the hash tag', () => {
    expect(() => assertCacheName('a}b')).toThrow(/Cache name/);
    expect(() => assertCacheName('')).toThrow(/Cache name/);
    expect(() => assertCacheName('product_list')).not.toThrow();
  });
});

describe(defaultKey.name, () => {
  it('uses a lone string or number argument as it is', () => {
    expect(defaultKey(['abc'])).toBe('abc');
    expect(defaultKey([7])).toBe('7');
  });

  it('gives equal keys to objects with the same fields in another order', () => {
    expect(defaultKey([{ b: 1, a: { d: 2, c: 3 } }])).toBe(
      defaultKey([{ a: { c: 3, d: 2 }, b: 1 }]),
    );
    expect(defaultKey([{ a: 1 }])).not.toBe(defaultKey([{ a: 2 }]));
  });

  it('leaves out undefined fields, as a query without that filter', () => {
    expect(stableStringify({ a: 1, b: undefined })).toBe(stableStringify({ a: 1 }));
  });
});
