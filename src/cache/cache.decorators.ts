import { assertCacheName } from './cache-keys';
import { CACHE_OPERATIONS } from './cache.constants';
import type {
  CacheableOptions,
  CacheEvictOptions,
  CacheOperation,
  CachePutOptions,
} from './cache-options';

/**
 * Records an operation on the method itself. The decorators only describe; each app's CacheModule
 * finds the described methods on its own provider instances and wraps them with its own CacheService.
 */
function describe(operation: CacheOperation): MethodDecorator {
  assertCacheName(operation.options.name);
  return (_target, _property, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(CACHE_OPERATIONS, method) ?? []) as CacheOperation[];
    Reflect.defineMetadata(CACHE_OPERATIONS, [...existing, operation], method);
    return descriptor;
  };
}

/** The operations recorded on a method, in the order they were declared (top to bottom). */
export function cacheOperationsOf(method: unknown): CacheOperation[] {
  if (typeof method !== 'function') return [];
  const operations = (Reflect.getMetadata(CACHE_OPERATIONS, method) ?? []) as CacheOperation[];
  // Decorators apply bottom-up; answer them as they read.
  return [...operations].reverse();
}

/** Read-through: answers the cached result of the call, or runs the method once and caches it. */
export function Cacheable(options: CacheableOptions): MethodDecorator {
  return describe({ kind: 'cacheable', options });
}

/** Invalidates keys, tags or the whole cache once the method succeeded (or before it runs). */
export function CacheEvict(options: CacheEvictOptions): MethodDecorator {
  if (!options.key && !options.tags && !options.allEntries) {
    throw new Error(`@CacheEvict on "${options.name}" needs key, tags or allEntries`);
  }
  return describe({ kind: 'evict', options });
}

/** Write-through: stores the method's result under its key once the method succeeded. */
export function CachePut(options: CachePutOptions): MethodDecorator {
  return describe({ kind: 'put', options });
}
