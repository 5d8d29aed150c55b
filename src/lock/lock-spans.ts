import {
  Attributes,
  Context,
  context,
  Span,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { LockBusyError } from './lock.errors';

/** Injection token of the tracer for the lock's spans; none (null) when traces are not exported. */
export const LOCK_TRACER = Symbol('LOCK_TRACER');

/**
 * The lock's spans, each with `lock.name` and, once known, `lock.fencing_token`:
 * - `lock.acquire`, a child of the caller's span, with `lock.result` `acquired` or `busy` (an
 *   unreachable store is an error status);
 * - `lock.extend` and `lock.release`, children of the acquisition, wherever its holder is by then.
 */
export class LockSpans {
  constructor(private readonly tracer: Tracer) {}

  /** Starts `lock.acquire` under the current span; the store's own work runs in the answered context. */
  acquiring(resource: string): { span: Span; context: Context } {
    const span = this.tracer.startSpan('lock.acquire', { attributes: { 'lock.name': resource } });
    return { span, context: trace.setSpan(context.active(), span) };
  }

  acquired(span: Span, token: number): void {
    span.setAttributes({ 'lock.result': 'acquired', 'lock.fencing_token': token });
    span.end();
  }

  failed(span: Span, error: unknown): void {
    if (error instanceof LockBusyError) {
      span.setAttribute('lock.result', 'busy');
    } else {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    }
    span.end();
  }

  /** Runs `work` (an extension or a release) in a span of its own. */
  async around<T>(
    operation: 'lock.extend' | 'lock.release',
    resource: string,
    token: number | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    const attributes: Attributes = { 'lock.name': resource };
    if (token !== undefined) attributes['lock.fencing_token'] = token;
    const span = this.tracer.startSpan(operation, { attributes });
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }
}
