import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import type { TracingSettings } from '../config/tracing-settings';
import { nameServerSpansByRoute, returnTraceparent } from './server-spans';
import { onTracingShutdown } from './shutdown';

/**
 * OpenTelemetry's Node SDK, configured by its own `OTEL_*` variables (exporter protocol, sampler,
 * batch sizes, resource attributes), exporting traces only: metrics stay with Prometheus, logs with
 * pino. Spans leave in batches off the request path; a collector that is down or slow costs at most
 * the batch queue (`OTEL_BSP_MAX_QUEUE_SIZE`, 2048 spans by default), and dropped spans are all.
 */
export function startTracing({ serviceName }: TracingSettings): void {
  const sdk = new NodeSDK({
    serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // The service makes no outgoing HTTP calls worth a span; the exporter's own would be noise.
        disableOutgoingRequestInstrumentation: true,
        responseHook: returnTraceparent,
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
    ],
  });
  sdk.start();
  nameServerSpansByRoute();
  onTracingShutdown(() => sdk.shutdown());
}
