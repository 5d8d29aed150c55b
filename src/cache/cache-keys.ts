const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Cache names become Redis hash tags, so they must not contain braces or separators. */
export function assertCacheName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`Cache name "${name}" must be 1-64 of [A-Za-z0-9_.-]`);
  }
}

/**
 * The Redis keys of one cache name. All share the hash tag `{name}`, so one Lua script can touch an
 * entry, its tag stamps, the generation and the fill lock on a Redis Cluster. Metadata keys start with
 * `!`; an entry key that starts with `!` gets one more, so entries never collide with metadata.
 */
export class CacheKeys {
  readonly base: string;

  constructor(prefix: string, name: string) {
    assertCacheName(name);
    this.base = `${prefix}:{${name}}:`;
  }

  entry(key: string): string {
    return this.base + (key.startsWith('!') ? `!${key}` : key);
  }

  lock(key: string): string {
    return `${this.base}!lock:${key}`;
  }

  keyStamp(key: string): string {
    return `${this.base}!ver:${key}`;
  }

  get tagStampPrefix(): string {
    return `${this.base}!tag:`;
  }

  tagStamp(tag: string): string {
    return this.tagStampPrefix + tag;
  }

  get generation(): string {
    return `${this.base}!gen`;
  }

  get clock(): string {
    return `${this.base}!clock`;
  }

  /** On Redis: one hash of the clock, the generation and the tag stamps (see the cache scripts). */
  get meta(): string {
    return `${this.base}!meta`;
  }

  /** The pub/sub channel of the cache's invalidations, in the cache's slot (sharded pub/sub). */
  get channel(): string {
    return `${this.base}!inv`;
  }
}

/**
 * The default key of a call: a lone string or number argument as it is, otherwise the arguments as
 * JSON with object keys sorted, so that `{a, b}` and `{b, a}` share an entry.
 */
export function defaultKey(args: readonly unknown[]): string {
  if (args.length === 1 && (typeof args[0] === 'string' || typeof args[0] === 'number')) {
    return String(args[0]);
  }
  return stableStringify(args);
}

export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(item).sort()) {
      sorted[name] = (item as Record<string, unknown>)[name];
    }
    return sorted;
  });
}
