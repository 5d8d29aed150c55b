import type { Invalidation } from '../cache-backend';

interface Wire {
  /** The instance that wrote it: it has dropped its own copies already. */
  o: string;
  k: string[];
  t: string[];
  a: 0 | 1;
}

/** The pub/sub message of an invalidation, published by the Lua script that performs it. */
export function encodeInvalidation(origin: string, { keys, tags, all }: Invalidation): string {
  const wire: Wire = { o: origin, k: keys, t: tags, a: all ? 1 : 0 };
  return JSON.stringify(wire);
}

/** Null for a message this process cannot read (it then drops the cache's copies to be safe). */
export function decodeInvalidation(
  text: string,
): { origin: string; invalidation: Invalidation } | null {
  try {
    const wire = JSON.parse(text) as Partial<Wire>;
    if (typeof wire.o !== 'string' || !Array.isArray(wire.k) || !Array.isArray(wire.t)) return null;
    return {
      origin: wire.o,
      invalidation: { keys: wire.k.map(String), tags: wire.t.map(String), all: wire.a === 1 },
    };
  } catch {
    return null;
  }
}
