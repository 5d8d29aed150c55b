import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { AppConfig } from '../src/config/app-config';
import { LockBusyError } from '../src/lock';
import { LockSpans } from '../src/lock/lock-spans';
import { LockService } from '../src/lock/lock.service';
import { RedisLockBackend } from '../src/lock/redis-lock.backend';
import { waitFor } from './support/ports';

/** LockService on a real Redis, given a tracer: the spans of acquiring, extending and releasing. */
describe('Lock spans on a standalone Redis (e2e)', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  }).getTracer('test');
  const contextManager = new AsyncLocalStorageContextManager();
  let redis: Redis;
  let locks: LockService;

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    redis = new Redis(process.env.TEST_REDIS_URL!);
    const backend = new RedisLockBackend(
      [redis],
      `spans${randomBytes(4).toString('hex')}`,
      new LockSpans(tracer),
    );
    const config = { lock: { ttlMs: 30000 } } as AppConfig;
    locks = new LockService(backend, config, new Registry(), tracer);
  });

  afterAll(async () => {
    context.disable();
    await redis.quit();
  });

  beforeEach(() => exporter.reset());

  const spans = (name: string): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((span) => span.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('acquires under the caller’s span, extends and releases under the acquisition, all with the token', async () => {
    let token = 0;
    let workSpan: string | undefined;
    const request = tracer.startSpan('request');
    await context.with(trace.setSpan(context.active(), request), () =>
      // Extended when a third of its lifetime is left: twice in about two seconds.
      locks.using('report', 1500, async (_signal, held) => {
        token = held;
        workSpan = trace.getActiveSpan()?.spanContext().spanId;
        await waitFor(
          () => Promise.resolve(spans('lock.extend').length >= 2),
          15_000,
          'two extensions of the held lock',
        );
      }),
    );
    request.end();

    const [acquire] = spans('lock.acquire');
    expect(acquire.attributes).toEqual({
      'lock.name': 'report',
      'lock.result': 'acquired',
      'lock.fencing_token': token,
    });
    expect(parentOf(acquire)).toBe(request.spanContext().spanId);
    expect(workSpan).toBe(request.spanContext().spanId);
    for (const span of [...spans('lock.extend'), ...spans('lock.release')]) {
      expect(span.attributes).toEqual({ 'lock.name': 'report', 'lock.fencing_token': token });
      expect(parentOf(span)).toBe(acquire.spanContext().spanId);
    }
    expect(spans('lock.release')).toHaveLength(1);
  });

  it('answers a held lock with a busy acquisition', async () => {
    let release!: () => void;
    const holding = locks.using('busy', 30000, () => new Promise<void>((r) => (release = r)));
    await waitFor(
      () => Promise.resolve(spans('lock.acquire').length === 1),
      5_000,
      'the first acquisition',
    );
    await expect(locks.using('busy', 30000, () => Promise.resolve())).rejects.toBeInstanceOf(
      LockBusyError,
    );
    release();
    await holding;
    expect(spans('lock.acquire').map((span) => span.attributes['lock.result'])).toEqual([
      'acquired',
      'busy',
    ]);
  });
});
