import { UseGuards } from '@nestjs/common';
import { LoginThrottleGuard } from './login-throttle.guard';

/**
 * Limits sign-in attempts on a route: LOGIN_THROTTLE_LIMIT per client address and email, and
 * LOGIN_THROTTLE_ADDRESS_LIMIT per client address over all emails, each per LOGIN_THROTTLE_TTL_MS.
 */
export const LoginThrottle = (): MethodDecorator & ClassDecorator => UseGuards(LoginThrottleGuard);
