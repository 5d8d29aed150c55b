export { CacheModule } from './cache.module';
export type { CacheModuleOptions, CacheRedisClient } from './cache-module.options';
export { ttlOverrideName } from './cache-module.options';
export { CacheService } from './cache.service';
export type { EvictOptions, LoadOptions, PutOptions } from './cache.service';
export { Cacheable, CacheEvict, CachePut } from './cache.decorators';
export type {
  CacheableOptions,
  CacheEvictOptions,
  CachePutOptions,
  Seconds,
} from './cache-options';
export type { CacheOutcome, OutcomeHolder } from './cache-outcome.context';
export { defaultKey } from './cache-keys';
