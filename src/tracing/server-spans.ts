import { subscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { context, propagation, Span, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';

/**
 * Gives each server span its route pattern: the HTTP instrumentation names the span
 * `<METHOD> <route>` and sets `http.route` from the request's RPC metadata when the answer is sent.
 * Fastify announces every new instance on the `fastify.initialization` channel, so the hook is
 * added before the application's own. @fastify/otel does the same and more: a second span per
 * request, one per hook and handler, and a `url.path` that keeps the query string; the server span
 * with its route is the part worth its cost.
 */
export function nameServerSpansByRoute(): void {
  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRequest', (request, _reply, done) => {
      const metadata = getRPCMetadata(context.active());
      const route = request.routeOptions.url;
      if (metadata?.type === RPCType.HTTP && route) metadata.route = route;
      done();
    });
  });
}

/** Answers each request with its server span's W3C `traceparent` (and `tracestate`, if any). */
export function returnTraceparent(span: Span, response: unknown): void {
  if (!isServerResponse(response)) return;
  propagation.inject(trace.setSpan(context.active(), span), response, {
    set: (carrier, key, value) => void carrier.setHeader(key, value),
  });
}

function isServerResponse(response: unknown): response is ServerResponse {
  return typeof (response as ServerResponse).setHeader === 'function';
}
