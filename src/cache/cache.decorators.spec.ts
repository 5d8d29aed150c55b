import 'reflect-metadata';
import { CacheEvict, CachePut, Cacheable, cacheOperationsOf } from './cache.decorators';

class Sample {
  @Cacheable({ name: 'sample', ttl: 5 })
  read(): Promise<number> {
    return Promise.resolve(1);
  }

  @CacheEvict({ name: 'first', key: () => 'k' })
  @CacheEvict({ name: 'second', tags: ['t'], beforeInvocation: true })
  @CachePut({ name: 'third', key: () => 'k', ttl: 1 })
  write(): Promise<void> {
    return Promise.resolve();
  }
}

describe('cache decorators', () => {
  it('record their options on the method, in the order they are written', () => {
    expect(cacheOperationsOf(Sample.prototype.read)).toEqual([
      { kind: 'cacheable', options: { name: 'sample', ttl: 5 } },
    ]);
    expect(cacheOperationsOf(Sample.prototype.write).map((op) => op.options.name)).toEqual([
      'first',
      'second',
      'third',
    ]);
  });

  it('reject an eviction that says nothing to evict', () => {
    expect(() => CacheEvict({ name: 'x' })).toThrow(/needs key, tags or allEntries/);
  });

  it('reject a cache name that cannot be a hash tag', () => {
    expect(() => Cacheable({ name: 'a{b}', ttl: 1 })).toThrow(/Cache name/);
  });

  it('find nothing on undecorated methods', () => {
    expect(cacheOperationsOf(Sample.prototype.constructor)).toEqual([]);
    expect(cacheOperationsOf(undefined)).toEqual([]);
  });
});
