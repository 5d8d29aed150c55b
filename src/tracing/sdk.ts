import { FastifyOtelInstrumentation } from '@fastify/otel';
import { trace } from '@opentelemetry/api';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TracingSettings } from '../config/tracing-settings';
import { SampledChildrenTracerProvider } from './sampled-children';
import { describeServerSpan, returnTraceparent } from './server-spans';
import { onTracingShutdown } from './shutdown';

/**
 * OpenTelemetry's Node SDK, configured by its own `OTEL_*` variables (exporter protocol, sampler,
 * batch sizes, resource attributes), exporting traces only: metrics stay with Prometheus, logs with
 * pino. Spans leave in batches off the request path; a collector that is down or slow costs at most
 * the batch queue (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048 spans by default), and the spans dropped.
 *
 * Server spans come from @fastify/otel, Fastify's own instrumentation, with its hook and handler
 * spans off. `@opentelemetry/instrumentation-http` made the same span at about twice the cost
 * (it binds every listener of each request and response to the context, and computes a dozen
 * attributes before sampling): 25 to 30 µs more per cached read, a third of what the read costs.
 */
export function startTracing({ serviceName }: TracingSettings): void {
  const instrumentations = [
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      instrumentHooks: false,
      instrumentHandler: false,
      requestHook: describeServerSpan,
    }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({
      requireParentSpan: true,
      // The command alone: the default keeps every argument of EVAL/EVALSHA (cached values) and
      // keys, which name session ids.
      dbStatementSerializer: (command) => command.toUpperCase(),
    }),
    // trace_id and span_id on every line written inside a span; the lines stay with pino.
    new PinoInstrumentation({ disableLogSending: true }),
  ];
  const sdk = new NodeSDK({
    serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  const provider = new SampledChildrenTracerProvider(trace.getTracerProvider());
  for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
  returnTraceparent();
  onTracingShutdown(() => sdk.shutdown());
}
