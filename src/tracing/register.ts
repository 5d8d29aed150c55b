import { tracingSettings } from '../config/tracing-settings';

/**
 * Imported first by `main.ts`, before any module the instrumentations patch (http, pg, ioredis,
 * pino) is loaded. With `OTEL_EXPORTER_OTLP_ENDPOINT` unset nothing of OpenTelemetry's SDK is
 * loaded: the libraries' spans then cost nothing either (they are given no tracer).
 */
const settings = tracingSettings();
if (settings) {
  // A conditional require: an import would load the SDK whether tracing is on or not.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./sdk') as typeof import('./sdk')).startTracing(settings);
}
