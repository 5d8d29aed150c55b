import { randomBytes } from 'node:crypto';
import { AppInstance, startInstance } from './support/app-instance';
import { OtlpReceiver, ReceivedSpan } from './support/otlp-receiver';
import { waitFor } from './support/ports';
import { signIn } from './support/report-client';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

const SERVER = 2;

/** A fresh W3C trace context, as a caller's tracing would send it. */
function callerContext(): { traceId: string; parentId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

/**
 * `node dist/main.js` with `OTEL_EXPORTER_OTLP_ENDPOINT` set, exporting to a receiver of the test's
 * own: the span tree of each kind of request, W3C trace context in and out, trace ids in the logs,
 * no secret in any span, and a collector that goes away mid-run.
 */
describe('Traces of node dist/main.js over OTLP (e2e)', () => {
  let clone: ProjectClone;
  let env: Record<string, string>;
  let helper: AppInstance;
  let cookie: string;

  beforeAll(async () => {
    clone = ProjectClone.create();
    clone.build();
    env = await isolatedEnv({
      SESSION_SECRET: randomBytes(24).toString('hex'),
      THROTTLE_LIMIT: '1000000',
      LOGIN_THROTTLE_LIMIT: '1000',
    });
    // Applies the migrations, signs in an admin for both processes, and holds the report's lock.
    helper = await startInstance({ ...env, INVENTORY_REPORT_DELAY_MS: '600000' });
    cookie = await signIn(helper);
  });

  afterAll(async () => {
    await helper?.close();
    clone?.destroy();
  });

  async function spawnTraced(
    endpoint: string,
    more: Record<string, string> = {},
  ): Promise<{ app: SpawnedApp; url: string }> {
    const { port, url } = await freeUrl();
    const app = clone.run({
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      // Batches leave every 100 ms rather than every 5 s, so that the test waits less.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...more,
    });
    await app.waitUntilServing(url);
    return { app, url };
  }

  describe('over http/protobuf', () => {
    let receiver: OtlpReceiver;
    let app: SpawnedApp;
    let url: string;

    beforeAll(async () => {
      receiver = await OtlpReceiver.start();
      ({ app, url } = await spawnTraced(receiver.endpoint));
    });

    afterAll(async () => {
      app?.signal('SIGKILL');
      await receiver?.stop();
    });

    /** Sends the request with a trace context of its own; answers the response and its trace id. */
    async function traced(
      path: string,
      init: RequestInit = {},
    ): Promise<{ response: Response; traceId: string; parentId: string }> {
      const { traceId, parentId, traceparent } = callerContext();
      const headers = new Headers(init.headers);
      headers.set('traceparent', traceparent);
      if (init.body) headers.set('content-type', 'application/json');
      const response = await fetch(`${url}${path}`, { ...init, headers });
      return { response, traceId, parentId };
    }

    /** The trace's spans once its server span has arrived (its children end, and leave, first). */
    async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
      await receiver.waitForSpan(
        (span) => span.traceId === traceId && span.kind === SERVER,
        `the server span of trace ${traceId}`,
      );
      return receiver.trace(traceId);
    }

    const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
    const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
      spans.filter((s) => s.parentSpanId === parent.spanId);

    async function createProduct(): Promise<{ id: string; name: string; traceId: string }> {
      const name = `Traced ${randomBytes(6).toString('hex')}`;
      const { response, traceId } = await traced('/products', {
        method: 'POST',
        headers: { cookie },
        body: JSON.stringify({ name, category: 'tracing', price: 12.5, stock: 3 }),
      });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      return { id, name, traceId };
    }

    it('continues the caller’s traceparent and answers the server span’s own', async () => {
      const { response, traceId, parentId } = await traced('/products?limit=1');
      expect(response.status).toBe(200);
      const answered = response.headers.get('traceparent');
      expect(answered).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

      const [server] = (await spansOf(traceId)).filter((span) => span.kind === SERVER);
      expect(server).toMatchObject({ name: 'GET /products', parentSpanId: parentId });
      expect(answered).toBe(`00-${traceId}-${server.spanId}-01`);
      expect(server.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.route': '/products',
        'http.response.status_code': 200,
        'url.path': '/products',
      });
      expect(receiver.contentTypes).toContain('application/x-protobuf');
    });

    it('follows a caller that does not sample: its trace id answered unsampled, nothing exported', async () => {
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      const response = await fetch(`${url}/products?limit=1`, {
        headers: { traceparent: `00-${traceId}-${parentId}-00` },
      });
      expect(response.headers.get('traceparent')).toMatch(
        new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`),
      );
      // Spans leave in the order they end: once a later request's trace is in, this one's would be.
      await spansOf((await traced('/products?limit=1')).traceId);
      expect(receiver.trace(traceId)).toEqual([]);
    });

    it('starts a trace of its own for a request without a traceparent', async () => {
      const response = await fetch(`${url}/products?limit=2`);
      const [, traceId, spanId] = response.headers.get('traceparent')!.split('-');
      const server = await receiver.waitForSpan(
        (span) => span.spanId === spanId,
        'the server span of an untraced request',
      );
      expect(server).toMatchObject({ traceId, parentSpanId: '', name: 'GET /products' });
    });

    it('shows a miss as cache.get with a fill and its query, and a hit as cache.get alone', async () => {
      const { id } = await createProduct();

      const miss = await traced(`/products/${id}`);
      expect(miss.response.headers.get('x-cache')).toBe('MISS');
      const missSpans = await spansOf(miss.traceId);
      const [server] = named(missSpans, 'GET /products/:id');
      expect(server.attributes['http.route']).toBe('/products/:id');
      const [get] = named(missSpans, 'cache.get');
      expect(get).toMatchObject({
        parentSpanId: server.spanId,
        attributes: { 'cache.name': 'product', 'cache.outcome': 'miss' },
      });
      const [fill] = named(missSpans, 'cache.fill');
      expect(fill).toMatchObject({
        parentSpanId: get.spanId,
        attributes: { 'cache.name': 'product', 'cache.outcome': 'miss', 'cache.stored': true },
      });
      const queries = childrenOf(missSpans, fill).filter(
        (span) => span.attributes['db.system.name'] === 'postgresql',
      );
      expect(queries.length).toBeGreaterThan(0);
      const statement = String(queries.at(-1)!.attributes['db.query.text']);
      expect(statement).toMatch(/^SELECT .* FROM "products"/);
      expect(statement).toContain('$1');
      expect(statement).not.toContain(id);
      const redis = childrenOf(missSpans, get).filter(
        (span) => span.attributes['db.system.name'] === 'redis',
      );
      expect(redis.map((span) => span.attributes['db.query.text'])).toContain('EVALSHA');

      const hit = await traced(`/products/${id}`);
      expect(hit.response.headers.get('x-cache')).toBe('HIT');
      const hitSpans = await spansOf(hit.traceId);
      expect(named(hitSpans, 'cache.get')).toEqual([
        expect.objectContaining({
          attributes: { 'cache.name': 'product', 'cache.outcome': 'hit' },
        }),
      ]);
      expect(named(hitSpans, 'cache.fill')).toEqual([]);
      expect(hitSpans.filter((s) => s.attributes['db.system.name'] === 'postgresql')).toEqual([]);
    });

    it('shows a write with its invalidations as cache.evict spans under the request', async () => {
      const { id } = await createProduct();
      const write = await traced(`/products/${id}`, {
        method: 'PATCH',
        headers: { cookie },
        body: JSON.stringify({ stock: 7 }),
      });
      expect(write.response.status).toBe(200);
      const spans = await spansOf(write.traceId);
      const [server] = named(spans, 'PATCH /products/:id');
      const evictions = named(spans, 'cache.evict');
      expect(evictions.map((span) => span.attributes['cache.name'])).toEqual(
        expect.arrayContaining(['product', 'product_list']),
      );
      for (const eviction of evictions) {
        expect(eviction.parentSpanId).toBe(server.spanId);
        expect(eviction.attributes['cache.outcome']).toBe('evicted');
      }
      const update = spans.find((span) =>
        String(span.attributes['db.query.text']).startsWith('UPDATE "products"'),
      );
      expect(update).toBeDefined();
    });

    it('writes the trace and span ids on the log lines of a traced request', async () => {
      const { traceId } = await traced('/products?limit=3');
      const [server] = (await spansOf(traceId)).filter((span) => span.kind === SERVER);
      let line: Record<string, unknown> | undefined;
      await waitFor(
        () => {
          line = app.output
            .split('\n')
            .filter((text) => text.includes(traceId))
            .map((text) => JSON.parse(text) as Record<string, unknown>)
            .find((entry) => entry.msg === 'request completed');
          return Promise.resolve(line !== undefined);
        },
        5_000,
        'the access line of the traced request',
      );
      expect(line).toMatchObject({ trace_id: traceId, span_id: server.spanId, route: '/products' });
    });

    it('runs the report as a trace of its own, linked to the request, and shows a busy lock', async () => {
      const start = await traced('/reports/inventory', { method: 'POST', headers: { cookie } });
      expect(start.response.status).toBe(202);
      const { runId, fencingToken } = (await start.response.json()) as {
        runId: string;
        fencingToken: number;
      };
      const startSpans = await spansOf(start.traceId);
      const [server] = named(startSpans, 'POST /reports/inventory');
      const [acquire] = named(startSpans, 'lock.acquire');
      expect(acquire).toMatchObject({
        parentSpanId: server.spanId,
        attributes: {
          'lock.name': 'reports:inventory',
          'lock.result': 'acquired',
          'lock.fencing_token': fencingToken,
        },
      });

      const run = await receiver.waitForSpan(
        (span) =>
          span.name === 'inventory-report run' && span.attributes['report.run_id'] === runId,
        'the span of the report run',
      );
      expect(run.traceId).not.toBe(start.traceId);
      expect(run.parentSpanId).toBe('');
      expect(run.links).toEqual([{ traceId: start.traceId, spanId: server.spanId }]);
      expect(run.attributes).toMatchObject({
        'lock.fencing_token': fencingToken,
        'report.status': 'completed',
      });
      const runSpans = receiver.trace(run.traceId);
      expect(runSpans.some((span) => span.attributes['db.system.name'] === 'postgresql')).toBe(
        true,
      );
      const release = await receiver.waitForSpan(
        (span) => span.name === 'lock.release' && span.parentSpanId === acquire.spanId,
        'the release of the run’s lock',
      );
      expect(release.attributes).toMatchObject({
        'lock.name': 'reports:inventory',
        'lock.fencing_token': fencingToken,
      });

      // Another instance holds the lock now: this one's attempt is a busy acquisition.
      const held = await fetch(`${helper.url}/reports/inventory`, {
        method: 'POST',
        headers: { cookie },
      });
      expect(held.status).toBe(202);
      const busy = await traced('/reports/inventory', { method: 'POST', headers: { cookie } });
      expect(busy.response.status).toBe(409);
      const busySpans = await spansOf(busy.traceId);
      expect(named(busySpans, 'lock.acquire')).toEqual([
        expect.objectContaining({
          attributes: { 'lock.name': 'reports:inventory', 'lock.result': 'busy' },
        }),
      ]);
    });

    it('sends each flush of counted views as a leaderboard.flush trace', async () => {
      const { id } = await createProduct();
      const before = receiver.spans.length;
      expect((await fetch(`${url}/products/${id}`)).status).toBe(200);
      const flush = await receiver.waitForSpan(
        (span) => span.name === 'leaderboard.flush' && receiver.spans.indexOf(span) >= before,
        'a flush of the counted view',
      );
      expect(flush).toMatchObject({
        parentSpanId: '',
        attributes: { 'leaderboard.board': 'product_views' },
      });
      expect(flush.attributes['leaderboard.counts']).toBeGreaterThan(0);
    });

    it('puts no password, hash, cookie, session id or SQL value in any span', async () => {
      const email = `traced-${randomBytes(6).toString('hex')}@example.com`;
      const password = `secret-${randomBytes(9).toString('hex')}`;
      const newPassword = `newer-${randomBytes(9).toString('hex')}`;
      const signUp = await traced('/users', {
        method: 'POST',
        body: JSON.stringify({ email, name: 'Traced User', password }),
      });
      expect(signUp.response.status).toBe(201);
      const { id: userId } = (await signUp.response.json()) as { id: string };
      const login = await traced('/auth/login', {
        method: 'POST',
        body: JSON.stringify({ email: email.toUpperCase(), password }),
      });
      expect(login.response.status).toBe(200);
      const session = login.response.headers.getSetCookie()[0].split(';')[0];
      const sessionId = decodeURIComponent(session.slice('sid='.length)).split('.')[0];
      const me = await traced('/auth/me', { headers: { cookie: session } });
      expect(me.response.status).toBe(200);
      const change = await traced(`/users/${userId}`, {
        method: 'PATCH',
        headers: { cookie: session },
        body: JSON.stringify({ password: newPassword, currentPassword: password }),
      });
      expect(change.response.status).toBe(200);
      const { name: productName } = await createProduct();
      for (const { traceId } of [signUp, login, me, change]) await spansOf(traceId);

      const exported = JSON.stringify(receiver.spans);
      for (const secret of [
        password,
        newPassword,
        email,
        email.toUpperCase(),
        '$argon2',
        sessionId,
        session,
        cookie.split('=')[1].split('.')[0],
        productName,
      ]) {
        expect(exported).not.toContain(secret);
      }
    });
  });

  describe('over http/json, with the collector stopped mid-run', () => {
    let receiver: OtlpReceiver;
    let app: SpawnedApp;
    let url: string;

    beforeAll(async () => {
      receiver = await OtlpReceiver.start();
      ({ app, url } = await spawnTraced(receiver.endpoint, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }));
    });

    afterAll(async () => {
      app?.signal('SIGKILL');
      await receiver?.stop();
    });

    async function serverSpanOf(response: Response): Promise<ReceivedSpan> {
      const [, , spanId] = response.headers.get('traceparent')!.split('-');
      return receiver.waitForSpan((span) => span.spanId === spanId, 'a server span');
    }

    it('exports JSON, answers every request while the collector is down, and exports again once it is back', async () => {
      const first = await fetch(`${url}/products?limit=1`);
      expect(first.status).toBe(200);
      expect((await serverSpanOf(first)).name).toBe('GET /products');
      expect(receiver.contentTypes).toContain('application/json');

      await receiver.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        statuses.push((await fetch(`${url}/products?limit=${(i % 5) + 1}`)).status);
        statuses.push((await fetch(`${url}/products/trending`)).status);
      }
      expect(new Set(statuses)).toEqual(new Set([200]));
      // Long enough for several export attempts to fail.
      await new Promise((resolve) => setTimeout(resolve, 500));

      await receiver.listen();
      const later = await fetch(`${url}/products?limit=1`);
      expect(later.status).toBe(200);
      expect((await serverSpanOf(later)).name).toBe('GET /products');
      expect(app.running).toBe(true);
      const errors = app.output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: string })
        .filter((line) => line.level === 'error' || line.level === 'fatal');
      expect(errors).toEqual([]);
    });
  });
});
