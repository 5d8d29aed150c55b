import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type {
  Resolvable,
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
  ThrottlerOptions,
} from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';

type Handler = ReturnType<ExecutionContext['getHandler']>;
type ClassRef = ReturnType<ExecutionContext['getClass']>;
/** A route's handler and its controller class, as Reflector takes them. */
export type RouteTargets = [handler: Handler, classRef: ClassRef];
export type Resolver = (context: ExecutionContext) => number | Promise<number>;

/** A number known once per route, or a function of the request resolved on each one. */
export type RouteValue = number | Resolver;

/**
 * One throttler as it applies to one route: the module's throttler with the route's and its class's
 * `@Throttle()` overrides already merged, and limits that are plain numbers already checked.
 */
export interface RouteThrottler {
  name: string;
  limit: RouteValue;
  ttl: RouteValue;
  /** Absent: the block lasts the ttl. */
  blockDuration?: RouteValue;
  getTracker?: ThrottlerGetTrackerFunction;
  generateKey?: ThrottlerGenerateKeyFunction;
  skipIf?: (context: ExecutionContext) => boolean;
}

/**
 * The throttlers that apply to each route, worked out from the route metadata on its first request
 * and remembered: the decorators (`@Throttle`, `@SkipThrottle`) are written when the
 * classes are defined and never change, so only values given as functions are resolved per request.
 * A request no controller route answers (a 404, a file of a plugin) gets the module's throttlers.
 */
export class RouteThrottlers {
  private readonly routes = new WeakMap<Handler, WeakMap<ClassRef, RouteThrottler[]>>();
  private unroutedThrottlers?: RouteThrottler[];

  constructor(
    private readonly throttlers: ThrottlerOptions[],
    private readonly reflector: Reflector,
    /** Which of the module's throttlers this set counts. */
    private readonly applies: (throttler: string) => boolean,
  ) {}

  for(handler: Handler, classRef: ClassRef): RouteThrottler[] {
    let byClass = this.routes.get(handler);
    if (!byClass) this.routes.set(handler, (byClass = new WeakMap()));
    let route = byClass.get(classRef);
    if (!route) byClass.set(classRef, (route = this.resolve([handler, classRef])));
    return route;
  }

  unrouted(): RouteThrottler[] {
    return (this.unroutedThrottlers ??= this.resolve());
  }

  private resolve(targets?: RouteTargets): RouteThrottler[] {
    const read = <T>(key: string): T | undefined =>
      targets && this.reflector.getAllAndOverride<T | undefined>(key, targets);
    return this.throttlers.flatMap((throttler): RouteThrottler[] => {
      const name = throttler.name ?? 'default';
      if (read<boolean>(THROTTLER_SKIP + name) || !this.applies(name)) return [];
      const blockDuration =
        read<Resolvable<number>>(THROTTLER_BLOCK_DURATION + name) ?? throttler.blockDuration;
      return [
        {
          name,
          limit: routeValue(read(THROTTLER_LIMIT + name) ?? throttler.limit, 'limit', name),
          ttl: routeValue(read(THROTTLER_TTL + name) ?? throttler.ttl, 'ttl', name),
          blockDuration:
            blockDuration === undefined
              ? undefined
              : routeValue(blockDuration, 'blockDuration', name),
          getTracker: read(THROTTLER_TRACKER + name) ?? throttler.getTracker,
          generateKey: read(THROTTLER_KEY_GENERATOR + name) ?? throttler.generateKey,
          skipIf: throttler.skipIf,
        },
      ];
    });
  }
}

/** A value given as a function, resolved for one request and checked. */
export async function resolveRouteValue(
  resolver: Resolver,
  context: ExecutionContext,
  option: string,
  throttler: string,
): Promise<number> {
  return toNumber(await resolver(context), option, throttler);
}

function routeValue(value: Resolvable<number>, option: string, throttler: string): RouteValue {
  return typeof value === 'function' ? value : toNumber(value, option, throttler);
}

function toNumber(value: unknown, option: string, throttler: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw new Error(
      `Invalid "${option}" for the "${throttler}" throttler: expected a number, got ${JSON.stringify(value)}.`,
    );
  }
  return number;
}
