/**
 * How long a session lives: `idleSeconds` without use (sliding), and `maxAgeSeconds` after sign-in
 * however active it is.
 */
export class SessionLifetime {
  constructor(
    readonly idleSeconds: number,
    readonly maxAgeSeconds: number,
  ) {}

  /** When a session signed in now ends at the latest (epoch ms). */
  endsAtFromNow(): number {
    return Date.now() + this.maxAgeSeconds * 1000;
  }

  /** When a session used now expires (epoch ms): the idle TTL, cut short by its absolute end. */
  expiresAt(endsAt: number | undefined): number {
    const idle = Date.now() + this.idleSeconds * 1000;
    return endsAt === undefined ? idle : Math.min(idle, endsAt);
  }

  /** The store TTL, in whole seconds (rounded up), of a session used now; 0 or less when it is over. */
  ttlSeconds(endsAt: number | undefined): number {
    return Math.ceil((this.expiresAt(endsAt) - Date.now()) / 1000);
  }

  isOver(endsAt: number | undefined): boolean {
    return endsAt !== undefined && endsAt <= Date.now();
  }
}
