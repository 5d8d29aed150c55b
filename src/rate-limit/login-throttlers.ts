/** The throttler that limits sign-in attempts per client address and email. */
export const LOGIN_THROTTLER = 'login';
/** The throttler that limits sign-in attempts per client address over all emails (spraying). */
export const LOGIN_ADDRESS_THROTTLER = 'login-address';

const LOGIN_THROTTLERS: ReadonlySet<string> = new Set([LOGIN_THROTTLER, LOGIN_ADDRESS_THROTTLER]);

/**
 * The login throttlers count attempts, after the body is read (they key by its email), on routes
 * marked `@LoginThrottle()`; the others count every request that reaches the service.
 */
export function isLoginThrottler(name: string): boolean {
  return LOGIN_THROTTLERS.has(name);
}
