import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { replaceEventLoopLagMetrics } from './event-loop-lag.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';

/**
 * `/metrics` on the main port, or with METRICS_PORT on its own listener ({@link MetricsServer}).
 * One prom-client registry per app instance (so that instances in one test process do not share
 * counters). Libraries register their own metrics on it: `new Counter({ …, registers: [registry] })`.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        replaceEventLoopLagMetrics(registry);
        return registry;
      },
    },
    MetricsServer,
  ],
  exports: [Registry],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      duration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
