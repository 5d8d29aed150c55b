import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CacheOutcomeContext } from './cache-outcome.context';

export const CACHE_HEADER = 'X-Cache';

/**
 * Answers `X-Cache: HIT|MISS|STALE|BYPASS` on every HTTP request that made a cached call (errors
 * included). Fastify hooks rather than a Nest interceptor: each request runs in its own outcome
 * context from `onRequest` (the application's, when it gives the module its request scope), and
 * `onSend` reads it, which spares every request Nest's interceptor
 * chain (an rxjs pipeline and async resource bindings), a large share of a cached read's cost.
 */
@Injectable()
export class CacheHeaderHooks implements OnModuleInit {
  constructor(
    private readonly outcomes: CacheOutcomeContext,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    if (adapter.getType() !== 'fastify') {
      throw new Error('The X-Cache header needs the Fastify adapter (@nestjs/platform-fastify)');
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    if (!this.outcomes.shared) {
      fastify.addHook('onRequest', (_request, _reply, done) => this.outcomes.run(done));
    }
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      const outcome = this.outcomes.current();
      if (outcome) void reply.header(CACHE_HEADER, outcome);
      done(null, payload);
    });
  }
}
