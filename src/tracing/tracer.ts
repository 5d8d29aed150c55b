import { trace, Tracer } from '@opentelemetry/api';
import type { AppConfig } from '../config/app-config';

/**
 * The tracer a library is given for its own spans (`cache`, `lock`, `leaderboard`), or none when
 * traces are not exported: the libraries then make no span at all.
 */
export function tracerOf(config: AppConfig, library: string): Tracer | undefined {
  return config.tracing.enabled ? trace.getTracer(`nest-cache-starter.${library}`) : undefined;
}
