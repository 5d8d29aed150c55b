import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { cacheOperationsOf } from './cache.decorators';
import { CacheService } from './cache.service';
import { cachedMethod } from './cached-method';

/**
 * Finds the methods of this app's providers that carry cache decorators and replaces them, on each
 * instance, with a version that goes through this app's CacheService. (Wrapping per instance keeps
 * several apps in one process apart; request-scoped providers are not wrapped.)
 */
@Injectable()
export class CacheDecoratorExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly cache: CacheService,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      this.wrapMethods(instance as Record<string, unknown>);
    }
  }

  private wrapMethods(instance: Record<string, unknown>): void {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype?.[name];
      const operations = cacheOperationsOf(method);
      if (!operations.length || Object.prototype.hasOwnProperty.call(instance, name)) continue;
      const label = `${instance.constructor.name}.${name}`;
      const original = (method as (...args: unknown[]) => Promise<unknown>).bind(instance);
      instance[name] = cachedMethod(this.cache, operations, original, label);
    }
  }
}
