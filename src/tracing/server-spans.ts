import { subscribe } from 'node:diagnostics_channel';
import { context, propagation } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Span } from '@opentelemetry/api';

/**
 * Names @fastify/otel's server span `<METHOD> <route pattern>` and records the path without its
 * query string (which may hold personal data).
 */
export function describeServerSpan(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  span.updateName(route ? `${request.method} ${route}` : request.method);
  const query = request.url.indexOf('?');
  if (query >= 0) span.setAttribute('url.path', request.url.slice(0, query));
}

/**
 * Answers each request with its server span's W3C `traceparent` (and `tracestate`, if any). Fastify
 * announces every new instance on the `fastify.initialization` channel; subscribed after
 * @fastify/otel, the hook runs after the one that starts the server span.
 */
export function returnTraceparent(): void {
  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRequest', (_request, reply, done) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      void reply.headers(headers);
      done();
    });
  });
}
