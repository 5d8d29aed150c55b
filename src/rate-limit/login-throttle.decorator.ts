import { SetMetadata } from '@nestjs/common';

/** Name of the throttler that limits sign-in attempts per client address and email. */
export const LOGIN_THROTTLER = 'login';
export const LOGIN_THROTTLE_KEY = 'rate-limit:login';

/** Applies the login throttler (LOGIN_THROTTLE_LIMIT per LOGIN_THROTTLE_TTL_MS) to a route. */
export const LoginThrottle = (): MethodDecorator => SetMetadata(LOGIN_THROTTLE_KEY, true);
