import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { LockService } from './lock.service';
import { WITH_LOCK, WithLockMetadata } from './with-lock.decorator';

/**
 * Wires every `@WithLock` method of this application's providers to this application's
 * LockService, on the instance itself, so that several applications in one process stay apart.
 */
@Injectable()
export class WithLockExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly locks: LockService,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!wrapper.isDependencyTreeStatic() || !instance || typeof instance !== 'object') continue;
      this.wire(instance as Record<string, unknown>);
    }
  }

  private wire(instance: Record<string, unknown>): void {
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const metadata = Reflect.getMetadata(WITH_LOCK, instance[name] as object) as
        WithLockMetadata | undefined;
      if (!metadata) continue;
      const { resource, ttlMs, method } = metadata;
      instance[name] = (...args: unknown[]) =>
        this.locks.using(resource, ttlMs ?? this.locks.defaultTtlMs, () =>
          method.apply(instance, args),
        );
    }
  }
}
