import type { CacheOperation } from './cache-options';
import type { CacheService } from './cache.service';
import { cachedMethod, checkSeconds } from './cached-method';

describe(checkSeconds.name, () => {
  it('takes a positive number of seconds', () => {
    expect(checkSeconds(5, 'ttl')).toBe(5);
    expect(checkSeconds(0.5, 'ttl')).toBe(0.5);
  });

  it('rejects a TTL that is not a positive number', () => {
    expect(() => checkSeconds(0, 'ttl')).toThrow(/positive/);
    expect(() => checkSeconds(Number.NaN, 'ttl')).toThrow(/positive/);
  });
});

describe(cachedMethod.name, () => {
  const calls: string[] = [];
  const cache = {
    register: jest.fn(),
    evict: jest.fn((name: string, options: unknown) => {
      calls.push(`evict ${name} ${JSON.stringify(options)}`);
      return Promise.resolve();
    }),
    put: jest.fn((name: string, key: string) => {
      calls.push(`put ${name} ${key}`);
      return Promise.resolve();
    }),
    getOrLoad: jest.fn((name: string, key: string, load: () => Promise<unknown>) => {
      calls.push(`get ${name} ${key}`);
      return load();
    }),
  } as unknown as CacheService;

  beforeEach(() => (calls.length = 0));

  it('evicts before, calls, puts, then evicts after, with keys from the result and the arguments', async () => {
    const operations: CacheOperation[] = [
      { kind: 'evict', options: { name: 'after', key: (r: { id: string }) => r.id } },
      { kind: 'evict', options: { name: 'before', allEntries: true, beforeInvocation: true } },
      { kind: 'put', options: { name: 'put', key: (_r: unknown, id: string) => `p${id}`, ttl: 1 } },
    ];
    const method = jest.fn((id: string) => {
      calls.push('call');
      return Promise.resolve({ id: `r${id}` });
    });
    const sut = cachedMethod(cache, operations, method as never, 'Sample.write');
    expect(await sut('1')).toEqual({ id: 'r1' });
    expect(calls).toEqual([
      'evict before {"keys":[],"tags":[],"allEntries":true}',
      'call',
      'put put p1',
      'evict after {"keys":["r1"],"tags":[]}',
    ]);
  });

  it('does not run after-evictions when the method throws', async () => {
    const operations: CacheOperation[] = [
      { kind: 'evict', options: { name: 'x', key: () => 'k' } },
    ];
    const sut = cachedMethod(cache, operations, () => Promise.reject(new Error('no')), 'S.m');
    await expect(sut()).rejects.toThrow('no');
    expect(calls).toEqual([]);
  });

  it('keys a cached call by its arguments by default and passes its declared TTL', async () => {
    const operations: CacheOperation[] = [{ kind: 'cacheable', options: { name: 'c', ttl: 60 } }];
    const sut = cachedMethod(cache, operations, () => Promise.resolve(3), 'S.m');
    expect(await sut({ b: 1, a: 2 })).toBe(3);
    expect(calls).toEqual(['get c [{"a":2,"b":1}]']);
    expect((cache.getOrLoad as jest.Mock).mock.calls.at(-1)[3]).toMatchObject({ ttl: 60 });
  });

  it('calls the method uncached when the condition refuses its arguments, and cached when it admits them', async () => {
    const operations: CacheOperation[] = [
      {
        kind: 'cacheable',
        options: { name: 'c', ttl: 1, condition: (id: string) => id !== 'live' },
      },
    ];
    const method = jest.fn((id: string) => {
      calls.push(`call ${id}`);
      return Promise.resolve(id);
    });
    const sut = cachedMethod(cache, operations, method as never, 'S.m');
    expect(await sut('live')).toBe('live');
    expect(await sut('7')).toBe('7');
    expect(calls).toEqual(['call live', 'get c 7', 'call 7']);
  });

  it('refuses two @Cacheable on one method', () => {
    const read: CacheOperation = { kind: 'cacheable', options: { name: 'c', ttl: 1 } };
    expect(() => cachedMethod(cache, [read, read], () => Promise.resolve(), 'S.m')).toThrow(
      /at most one/,
    );
  });
});
