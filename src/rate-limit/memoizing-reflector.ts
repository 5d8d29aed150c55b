import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

type Target = Type<unknown> | ((...args: never[]) => unknown);

/**
 * A Reflector that remembers `getAllAndOverride` answers per `[handler, class]` pair and key. Route
 * metadata is written by decorators when the classes are defined and not changed afterwards, and the
 * throttler guard asks eleven such lookups on every request, each a walk through reflect-metadata.
 */
export class MemoizingReflector extends Reflector {
  private readonly answers = new WeakMap<object, WeakMap<object, Map<unknown, unknown>>>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches both of Reflector's overloads
  override getAllAndOverride(key: unknown, targets: Target[]): any {
    const [handler, classRef] = targets;
    if (targets.length !== 2 || !handler || !classRef) return super.getAllAndOverride(key, targets);
    let byClass = this.answers.get(handler);
    if (!byClass) this.answers.set(handler, (byClass = new WeakMap()));
    let byKey = byClass.get(classRef);
    if (!byKey) byClass.set(classRef, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, super.getAllAndOverride(key, targets));
    return byKey.get(key);
  }
}
