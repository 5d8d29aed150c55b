import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RateLimitHook } from './rate-limit.hook';

/**
 * Counts every request against the rate limits from Fastify's first hooks on; before `app.init()`,
 * so that the controllers' routes are registered with their limits.
 */
export function setUpRateLimits(app: NestFastifyApplication): void {
  app.get(RateLimitHook).register(app.getHttpAdapter().getInstance());
}
