import { trace, Tracer } from '@opentelemetry/api';
import type { AppConfig } from '../config/app-config';
import { SampledChildrenTracer } from './sampled-children';

/**
 * The tracer a library is given for its own spans (`cache`, `lock`, `leaderboard`), or none when
 * traces are not exported: the libraries then make no span at all.
 */
export function tracerOf(config: AppConfig, library: string): Tracer | undefined {
  if (!config.tracing.enabled) return undefined;
  return new SampledChildrenTracer(trace.getTracer(`nest-cache-starter.${library}`));
}
