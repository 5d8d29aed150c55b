import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { describeListenAddress } from '../lifecycle/listen-address';

/**
 * With METRICS_PORT set: a second, plain `node:http` listener on HOST that serves `GET /metrics` and
 * nothing else, so that the public port exposes no metrics. A full Fastify instance would bring
 * sessions, rate limits and hooks that a scrape endpoint does not want.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: Registry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metrics.port;
    if (port === undefined) return;
    const server = createServer((request, response) => {
      const path = request.url?.split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
        return;
      }
      this.registry.metrics().then(
        (text) =>
          response
            .writeHead(200, {
              'Content-Type': this.registry.contentType,
              'Cache-Control': 'no-store',
            })
            .end(request.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          this.logger.error(`Collecting metrics failed: ${String(error)}`);
          response.writeHead(500).end();
        },
      );
    });
    server.listen(port, this.config.http.host);
    await once(server, 'listening');
    this.server = server;
    const address = server.address();
    if (address && typeof address === 'object') {
      this.logger.log(`/metrics only: ${describeListenAddress(address)}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
