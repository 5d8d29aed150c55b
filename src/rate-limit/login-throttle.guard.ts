import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoginThrottler } from './login-throttlers';
import { RateLimiter } from './rate-limiter';
import { RouteThrottlers } from './route-throttlers';

/**
 * Counts a sign-in attempt against the login limits, per client address and email and per client
 * address over all emails, after its body is read; `@LoginThrottle()` puts it on a route. Both are
 * counted for every attempt (in one store call on a standalone Redis), so an attempt one limit
 * refuses still spends the other's budget.
 */
@Injectable()
export class LoginThrottleGuard implements CanActivate {
  private readonly routes: RouteThrottlers;

  constructor(private readonly limiter: RateLimiter) {
    this.routes = limiter.routeThrottlers(isLoginThrottler);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const throttlers = this.routes.for(context.getHandler(), context.getClass());
    const http = context.switchToHttp();
    await this.limiter.hitAll(
      throttlers,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      () => context,
    );
    return true;
  }
}
