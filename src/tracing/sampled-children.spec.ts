import { context, ROOT_CONTEXT, Span, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { SampledChildrenTracer } from './sampled-children';

describe(SampledChildrenTracer.name, () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const sut = new SampledChildrenTracer(provider.getTracer('test'));
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => context.disable());
  beforeEach(() => exporter.reset());

  /** A root span of the given decision (the ratio sampler decides on the trace id). */
  function root(sampled: boolean): Span {
    for (;;) {
      const span = sut.startSpan('root', {}, ROOT_CONTEXT);
      if (span.isRecording() === sampled) return span;
      span.end();
    }
  }

  it('answers the unsampled parent’s context under it, and runs active work in the parent’s context', () => {
    const parent = root(false);
    const parentContext = trace.setSpan(ROOT_CONTEXT, parent);
    const child = sut.startSpan('child', {}, parentContext);
    expect(child.spanContext()).toEqual(parent.spanContext());
    expect(child.isRecording()).toBe(false);
    context.with(parentContext, () => {
      const active = sut.startActiveSpan('child', (span) => {
        expect(span.spanContext().spanId).toBe(parent.spanContext().spanId);
        return context.active();
      });
      expect(active).toBe(parentContext);
    });
  });

  it('records children of a sampled parent, under it', () => {
    const parent = root(true);
    sut.startActiveSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent), (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
    });
    parent.end();
    const [child, recordedParent] = exporter.getFinishedSpans();
    expect(child.name).toBe('child');
    expect(child.parentSpanContext?.spanId).toBe(recordedParent.spanContext().spanId);
  });

  it('leaves remote parents and new roots to the sampler', () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    const server = sut.startSpan('server', {}, remote);
    expect(server.spanContext().spanId).not.toBe('b7ad6b7169203331');
    expect(server.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');

    const unsampled = trace.setSpan(ROOT_CONTEXT, root(false));
    const fresh = sut.startSpan('job', { root: true }, unsampled);
    expect(fresh.spanContext().traceId).not.toBe(trace.getSpanContext(unsampled)!.traceId);
  });
});
