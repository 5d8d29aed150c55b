import { defaultKey } from './cache-keys';
import type {
  CacheableOptions,
  CacheEvictOptions,
  CacheOperation,
  CachePutOptions,
  Seconds,
} from './cache-options';
import type { CacheService } from './cache.service';

type Method = (...args: unknown[]) => Promise<unknown>;
type Loose<F> = F extends (...args: never[]) => infer R ? (...args: unknown[]) => R : never;

/** The options' functions take the method's arguments, typed by the caller; here they are opaque. */
const loose = <F>(fn: F): Loose<F> => fn as Loose<F>;

export function checkSeconds(seconds: Seconds, what: string): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`${what} must be a positive number of seconds, got ${seconds}`);
  }
  return seconds;
}

const tagsOf = (
  tags: string[] | ((result: never, ...args: never[]) => string[]) | undefined,
  result: unknown,
  args: unknown[],
): string[] => (typeof tags === 'function' ? loose(tags)(result, ...args) : (tags ?? []));

/**
 * Wraps `method` with its cache operations, in the order Spring applies them: evictions marked
 * `beforeInvocation`, then the cached call (or the call), then puts, then the other evictions.
 * TTLs are checked once, here; the CacheService applies the module's overrides.
 */
export function cachedMethod(
  cache: CacheService,
  operations: CacheOperation[],
  method: Method,
  label: string,
): Method {
  const cacheables = operations.filter((op) => op.kind === 'cacheable');
  if (cacheables.length > 1) throw new Error(`${label}: at most one @Cacheable per method`);
  const evicts = operations.filter((op) => op.kind === 'evict').map((op) => op.options);
  const puts = operations.filter((op) => op.kind === 'put').map((op) => op.options);
  const read = cacheables[0] ? cacheableCall(cache, cacheables[0].options, label) : null;
  const writes = puts.map((options) => putCall(cache, options, label));
  const evictBefore = evicts.filter((o) => o.beforeInvocation).map((o) => evictCall(cache, o));
  const evictAfter = evicts.filter((o) => !o.beforeInvocation).map((o) => evictCall(cache, o));
  for (const op of operations) cache.register(op.options.name);

  if (read && writes.length === 0 && evicts.length === 0) return (...args) => read(method, args);
  return async (...args: unknown[]): Promise<unknown> => {
    for (const evict of evictBefore) await evict(undefined, args);
    const result = read ? await read(method, args) : await method(...args);
    for (const write of writes) await write(result, args);
    for (const evict of evictAfter) await evict(result, args);
    return result;
  };
}

function cacheableCall(
  cache: CacheService,
  options: CacheableOptions,
  label: string,
): (method: Method, args: unknown[]) => Promise<unknown> {
  const ttl = checkSeconds(options.ttl, `${label} ttl`);
  const grace = options.grace && checkSeconds(options.grace, `${label} grace`);
  const nullTtl = options.nullTtl && checkSeconds(options.nullTtl, `${label} nullTtl`);
  const key = options.key ? loose(options.key) : (...args: unknown[]) => defaultKey(args);
  const unless = options.unless && loose(options.unless);
  const condition = options.condition && loose(options.condition);
  return (method, args) =>
    condition && !condition(...args)
      ? method(...args)
      : cache.getOrLoad(options.name, key(...args), () => method(...args), {
          ttl,
          grace: grace || undefined,
          nullTtl: nullTtl || undefined,
          cacheNull: options.cacheNull,
          tags: (result) => tagsOf(options.tags, result, args),
          unless: unless && ((result) => unless(result, ...args)),
        });
}

function putCall(
  cache: CacheService,
  options: CachePutOptions,
  label: string,
): (result: unknown, args: unknown[]) => Promise<void> {
  const ttl = checkSeconds(options.ttl, `${label} ttl`);
  const key = loose(options.key);
  return (result, args) =>
    cache.put(options.name, key(result, ...args), result, {
      ttl,
      tags: tagsOf(options.tags, result, args),
    });
}

function evictCall(
  cache: CacheService,
  options: CacheEvictOptions,
): (result: unknown, args: unknown[]) => Promise<void> {
  const key = options.key && loose(options.key);
  return (result, args) => {
    const keys = key ? key(result, ...args) : [];
    return cache.evict(options.name, {
      keys: Array.isArray(keys) ? keys : [keys],
      tags: tagsOf(options.tags, result, args),
      allEntries: options.allEntries,
    });
  };
}
