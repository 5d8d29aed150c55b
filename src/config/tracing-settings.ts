import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnvironment, readEnvFile } from './validate-environment';

export interface TracingSettings {
  /** `OTEL_SERVICE_NAME`, else the package's name. */
  serviceName: string;
}

/**
 * Whether the process exports traces, decided before anything else loads (`src/tracing.ts`): only
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. OpenTelemetry's SDK reads its own `OTEL_*` variables
 * from the process environment, so those that only `.env` sets are copied there first (the process
 * environment wins, as for every other variable). An invalid environment answers null: the
 * application's start-up then reports it, one line per variable.
 */
export function tracingSettings(): TracingSettings | null {
  for (const [key, value] of Object.entries(readEnvFile())) {
    if (key.startsWith('OTEL_') && process.env[key] === undefined) process.env[key] = value;
  }
  let endpoint: string | undefined;
  let serviceName: string | undefined;
  try {
    ({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: serviceName } =
      checkEnvironment());
  } catch {
    return null;
  }
  if (!endpoint) return null;
  return { serviceName: serviceName ?? packageName() };
}

function packageName(): string {
  const file = join(__dirname, '..', '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name;
}
