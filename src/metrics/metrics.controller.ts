import { Controller, Get, Header, NotFoundException, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';

@ApiTags('operations')
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly registry: Registry,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    // With METRICS_PORT the metrics are served on that port only; here the route does not exist.
    if (this.config.metrics.port !== undefined) throw new NotFoundException('Cannot GET /metrics');
    await reply.type(this.registry.contentType).send(await this.registry.metrics());
  }
}
