import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { fastify, type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { limitConnections } from '../http/connection-limits';
import { httpServerOptions } from '../http/http-server-options';
import { addSecurityHeaders } from '../http/security-headers';
import { describeListenAddress } from '../lifecycle/listen-address';

/**
 * With METRICS_PORT set: a second listener on HOST that serves `GET /metrics` and nothing else, so
 * that the public port exposes no metrics. A bare Fastify instance, not the Nest application (whose
 * sessions, rate limits and hooks a scrape endpoint does not want), with the main listener's
 * timeouts, connection limits and security headers.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: FastifyInstance;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: Registry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metrics.port;
    if (port === undefined) return;
    const server = fastify({ ...httpServerOptions(this.config), forceCloseConnections: true });
    limitConnections(server.server, this.config.http, this.logger);
    addSecurityHeaders(server, this.config.production);
    server.get('/metrics', async (_request, reply) => {
      const text = await this.registry.metrics().catch((error: unknown) => {
        this.logger.error(`Collecting metrics failed: ${String(error)}`);
        throw error;
      });
      return reply.header('Cache-Control', 'no-store').type(this.registry.contentType).send(text);
    });
    await server.listen({ port, host: this.config.http.host });
    this.server = server;
    const address = server.server.address();
    if (address && typeof address === 'object') {
      this.logger.log(`/metrics only: ${describeListenAddress(address)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}
