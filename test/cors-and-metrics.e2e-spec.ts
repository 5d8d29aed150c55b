import { connect } from 'node:net';
import { AppInstance, startInstance } from './support/app-instance';
import { freePort, refused, waitFor } from './support/ports';
import { isolatedEnv } from './support/test-env';

const FRONT_END = 'http://app.example.test';
const OTHER_SITE = 'https://evil.example.test';

const corsHeaders = (res: Response): string[] =>
  [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));

const preflight = (url: string, origin: string, method = 'POST'): Promise<Response> =>
  fetch(`${url}/products`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'content-type',
    },
  });

/** What a client that sends `head` on a loopback port and then stalls receives before it is closed. */
function stalledAnswer(port: number, head: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write(head);
  });
}

describe('CORS from CORS_ORIGINS (e2e, browser-like requests)', () => {
  let withCors: AppInstance;
  let withoutCors: AppInstance;

  beforeAll(async () => {
    withCors = await startInstance(
      await isolatedEnv({ CORS_ORIGINS: `http://localhost:5173,${FRONT_END}` }),
    );
    withoutCors = await startInstance(await isolatedEnv());
  });

  afterAll(async () => {
    await Promise.all([withCors?.close(), withoutCors?.close()]);
  });

  it('answers a listed origin’s preflight with that origin, credentials and the requested method', async () => {
    const res = await preflight(withCors.url, FRONT_END);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONT_END);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])(
    'allows a listed origin every method the API has in a preflight: %s',
    async (method) => {
      const res = await preflight(withCors.url, FRONT_END, method);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(FRONT_END);
      const allowed = (res.headers.get('access-control-allow-methods') ?? '').split(/\s*,\s*/);
      expect(allowed).toContain(method);
    },
  );

  it('gives an unlisted origin no CORS header for a PATCH or DELETE preflight either', async () => {
    for (const method of ['PATCH', 'DELETE']) {
      const res = await preflight(withCors.url, OTHER_SITE, method);
      expect(res.status).toBe(404);
      expect(corsHeaders(res)).toEqual([]);
    }
  });

  it('lets a listed origin read the answer and its request id', async () => {
    const res = await fetch(`${withCors.url}/products`, { headers: { Origin: FRONT_END } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONT_END);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives an unlisted origin no CORS header at all, on a preflight or a request', async () => {
    const pre = await preflight(withCors.url, OTHER_SITE);
    expect(pre.status).toBe(404);
    expect(corsHeaders(pre)).toEqual([]);
    const res = await fetch(`${withCors.url}/products`, { headers: { Origin: OTHER_SITE } });
    expect(corsHeaders(res)).toEqual([]);
  });

  it('allows no cross-origin access when CORS_ORIGINS is unset', async () => {
    const pre = await preflight(withoutCors.url, FRONT_END);
    expect(pre.status).toBe(404);
    expect(corsHeaders(pre)).toEqual([]);
    const res = await fetch(`${withoutCors.url}/products`, { headers: { Origin: FRONT_END } });
    expect(corsHeaders(res)).toEqual([]);
  });

  it('answers X-Request-Id on every answer, errors included', async () => {
    for (const path of ['/products', '/products/not-a-uuid', '/no-such-route', '/auth/me']) {
      const res = await fetch(`${withoutCors.url}${path}`);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('/metrics on METRICS_PORT (e2e)', () => {
  let instance: AppInstance;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    instance = await startInstance(
      await isolatedEnv({
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        REQUEST_TIMEOUT_MS: '1000',
      }),
    );
  });

  afterAll(async () => {
    await instance?.close();
  });

  it('serves /metrics on the metrics port only; the main port answers 404 for it', async () => {
    await fetch(`${instance.url}/products`);
    const main = await fetch(`${instance.url}/metrics`);
    expect(main.status).toBe(404);

    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/products"');
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');

    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/products`)).status).toBe(404);
  });

  it('answers with the security headers of the main port, on /metrics and on a 404', async () => {
    for (const path of ['/metrics', '/nowhere']) {
      const res = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('answers 408 to a request that stalls past REQUEST_TIMEOUT_MS and closes it, as the main port does', async () => {
    const answers = await Promise.all(
      [metricsPort, Number(new URL(instance.url).port)].map((port) =>
        stalledAnswer(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      ),
    );
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('prints no NaN however quickly scrapes follow each other', async () => {
    const scrapes = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((res) => res.text()),
      ),
    );
    for (const text of scrapes) expect(text).not.toMatch(/\bNa[nN]\b/);
  });

  it('closes the metrics listener with the app', async () => {
    await instance.close();
    await waitFor(() => refused(metricsPort), 5_000, 'the metrics port to close');
  });
});

describe('/metrics on the main port when METRICS_PORT is unset (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv());
  });

  afterAll(async () => {
    await instance?.close();
  });

  it('serves Prometheus text without NaN, even for back-to-back scrapes', async () => {
    const scrapes = await Promise.all(
      Array.from({ length: 8 }, () => fetch(`${instance.url}/metrics`)),
    );
    for (const res of scrapes) {
      expect(res.status).toBe(200);
      expect(await res.text()).not.toMatch(/\bNa[nN]\b/);
    }
  });
});
