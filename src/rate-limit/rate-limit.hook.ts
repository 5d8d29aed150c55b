import { ExecutionContext, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/internal';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ControllerRoutes } from './controller-routes';
import { isLoginThrottler } from './login-throttlers';
import { RateLimiter } from './rate-limiter';
import type { RouteTargets } from './route-throttlers';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The controller method and class the route calls. */
    rateLimitTargets?: RouteTargets;
  }
}

/**
 * Counts every request that reaches the service against the general limits (every throttler but
 * the login ones), in Fastify's `onRequest`: before its body is read and whether or not a route
 * answers it, so that 404s, the `/docs` files, 415s, malformed JSON and 413s spend the budget as
 * routed requests do. The route's `@Throttle()` / `@SkipThrottle()` come from the controller method
 * Fastify's route calls ({@link ControllerRoutes}), put into the route's config as Fastify registers
 * it; a request no controller answers gets the module's throttlers.
 */
@Injectable()
export class RateLimitHook implements OnApplicationBootstrap {
  private registered = false;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly routes: ControllerRoutes,
  ) {}

  /** Adds the hooks; before `app.init()`, which registers the controllers' routes. */
  register(fastify: FastifyInstance): void {
    const general = this.limiter.routeThrottlers((name) => !isLoginThrottler(name));
    fastify.addHook('onRoute', (route) => {
      const targets = this.routes.targetsOf(route.handler);
      if (targets) route.config = { ...route.config, rateLimitTargets: targets };
    });
    fastify.addHook('onRequest', (request, reply, done) => {
      const targets = request.routeOptions.config.rateLimitTargets;
      const throttlers = targets ? general.for(...targets) : general.unrouted();
      if (throttlers.length === 0) return done();
      let context: ExecutionContext | undefined;
      const contextOf = () =>
        (context ??= new ExecutionContextHost([request, reply], targets?.[1], targets?.[0]));
      this.limiter.hitAll(throttlers, request, reply, contextOf).then(
        () => done(),
        (error: FastifyError) => done(error),
      );
    });
    this.registered = true;
  }

  onApplicationBootstrap(): void {
    if (!this.registered) {
      throw new Error('Rate limits are not set up: call setUpRateLimits(app) before app.init()');
    }
    const missing = this.routes.missing();
    if (missing.length > 0) {
      throw new Error(`Rate limits found no Fastify route for ${missing.join(', ')}`);
    }
  }
}
