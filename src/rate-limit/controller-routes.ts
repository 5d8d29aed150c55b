import { Injectable } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { RouteTargets } from './route-throttlers';

/**
 * Which controller method and class each Fastify route of the application calls, so that a Fastify
 * hook can read the route's decorators before Nest's own pipeline (guards and all) runs. Nest names
 * the handler it gives Fastify for a route `<controller name>.<method name>`; the handler itself is
 * a wrapper, and a method inherited by several controllers is one function, so the name is what
 * tells routes apart. Two controllers of one name with a route method of one name are refused at
 * start-up rather than guessed between.
 */
@Injectable()
export class ControllerRoutes {
  private targets?: Map<string, RouteTargets>;
  private readonly found = new Set<string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /** The controller method and class behind a Fastify route's handler, if a controller's. */
  targetsOf(handler: { name: string }): RouteTargets | undefined {
    const targets = (this.targets ??= this.discover()).get(handler.name);
    if (targets) this.found.add(handler.name);
    return targets;
  }

  /** Controller routes that no Fastify route was found for (none, once Nest has registered its routes). */
  missing(): string[] {
    return [...(this.targets ??= this.discover()).keys()].filter((name) => !this.found.has(name));
  }

  private discover(): Map<string, RouteTargets> {
    const targets = new Map<string, RouteTargets>();
    for (const { name, metatype } of this.discovery.getControllers()) {
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as Record<string, RouteTargets[0]>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[method];
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const handlerName = `${String(name)}.${method}`;
        if (targets.has(handlerName) && targets.get(handlerName)?.[1] !== metatype) {
          throw new Error(
            `Two controllers are named ${String(name)} and have a route ${method}: rate limits ` +
              'tell routes apart by controller name, so give the controllers distinct names.',
          );
        }
        targets.set(handlerName, [handler, metatype as RouteTargets[1]]);
      }
    }
    return targets;
  }
}
