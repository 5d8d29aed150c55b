import 'reflect-metadata';

export const WITH_LOCK = Symbol('WITH_LOCK');

export interface WithLockOptions {
  /** Lifetime of the lock if its holder stops extending it; LOCK_TTL_MS when omitted. */
  ttlMs?: number;
}

export interface WithLockMetadata extends WithLockOptions {
  resource: string;
  method: (...args: unknown[]) => Promise<unknown>;
}

/**
 * Runs the decorated async method under the lock `resource`: a call throws `LockBusyError` while
 * another holder (on any instance) has it. Inside, `LockService.current()` gives the fencing token
 * and the abort signal. LockModule wires each provider instance at start-up; until then a call
 * throws rather than run without the lock.
 */
export function WithLock(resource: string, options: WithLockOptions = {}): MethodDecorator {
  return (_target, key, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as WithLockMetadata['method'];
    const unwired = (): never => {
      throw new Error(`@WithLock ${String(key)}() was called before LockModule wired it`);
    };
    const metadata: WithLockMetadata = { ...options, resource, method };
    Reflect.defineMetadata(WITH_LOCK, metadata, unwired);
    descriptor.value = unwired;
  };
}
