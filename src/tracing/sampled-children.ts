import {
  Context,
  context,
  Span,
  SpanOptions,
  trace,
  TraceFlags,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';

/**
 * A tracer that starts no span under a local span that is not sampled: it answers that span's
 * context again, as a span that records nothing. Every sampler OpenTelemetry defines decides a child
 * as it decided the parent (the `parentbased_*` ones by rule, `traceidratio` on the same trace id),
 * so nothing that would have been recorded is lost; but the SDK decides only after it has made ids,
 * validated attributes and, for `startActiveSpan`, entered a new context, which for the four spans
 * of a cached read made an unsampled request cost about as much as a sampled one. Remote parents (a
 * caller's `traceparent`) still go to the sampler, so the server span is always decided by it.
 */
export class SampledChildrenTracer implements Tracer {
  constructor(private readonly tracer: Tracer) {}

  startSpan(name: string, options?: SpanOptions, parent: Context = context.active()): Span {
    return this.unsampledParent(options, parent) ?? this.tracer.startSpan(name, options, parent);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    parent: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : undefined;
    const parent = rest.length > 2 ? (rest[1] as Context) : context.active();
    const unsampled = this.unsampledParent(options, parent);
    // The answered span has the active span's context: there is no new context to enter.
    if (unsampled && parent === context.active()) return fn(unsampled) as ReturnType<F>;
    const span = unsampled ?? this.tracer.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }

  private unsampledParent(options: SpanOptions | undefined, parent: Context): Span | undefined {
    if (options?.root) return undefined;
    const spanContext = trace.getSpanContext(parent);
    if (!spanContext || spanContext.isRemote) return undefined;
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) return undefined;
    return trace.wrapSpanContext(spanContext);
  }
}

/** A provider whose tracers are {@link SampledChildrenTracer}s, for the instrumentations. */
export class SampledChildrenTracerProvider implements TracerProvider {
  constructor(private readonly provider: TracerProvider) {}

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    return new SampledChildrenTracer(this.provider.getTracer(name, version, options));
  }
}
