import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { adminAgent } from './support/admin-agent';
import { AppInstance, startInstance } from './support/app-instance';
import { expectErrorShape } from './support/error-shape';
import { SignedIn } from './support/signed-in-agent';
import { withReadmeCacheExample } from './support/readme-cache-example';
import { isolatedEnv } from './support/test-env';

const UNLIMITED = { THROTTLE_LIMIT: '1000000', LOGIN_THROTTLE_LIMIT: '1000000' };
const validProduct = { name: 'Cup', category: 'kitchen', price: 12.5, stock: 3 };
const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
const uniqueEmail = (): string => `edge-${randomBytes(6).toString('hex')}@example.com`;

/** An answer to a request sent as raw bytes, for what supertest cannot send (a body with no type). */
function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Bodies: JSON only, bounded nesting, bounded validation answers (e2e)', () => {
  let instance: AppInstance;
  let admin: SignedIn;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv(UNLIMITED));
    admin = await adminAgent(instance);
  });

  afterAll(() => instance.close());

  const api = () => request(instance.url);

  it.each(['/users', '/auth/login'])(
    'refuses a form-encoded body to POST %s with 415 (no login CSRF from an HTML form)',
    async (path) => {
      const form = `email=${encodeURIComponent(uniqueEmail())}&name=Form&password=long+enough+password`;
      const res = await api()
        .post(path)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(form);
      expectErrorShape(res, 415);
    },
  );

  it('does not create the account a form tried to sign up', async () => {
    const email = uniqueEmail();
    const password = 'long enough password';
    await api()
      .post('/users')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`email=${encodeURIComponent(email)}&name=Form&password=${password}`)
      .expect(415);
    await api().post('/auth/login').send({ email, password }).expect(401);
  });

  it.each([
    ['text/plain', JSON.stringify({ email: uniqueEmail(), name: 'T', password: 'long enough pw' })],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
    ],
    ['application/xml', '<user/>'],
  ])('refuses a %s body to POST /users with 415', async (type, body) => {
    expectErrorShape(await api().post('/users').set('Content-Type', type).send(body), 415);
  });

  it('refuses a body sent with no Content-Type with 415', async () => {
    const res = await rawRequest(instance.url, 'POST', '/users', { 'Content-Length': '2' }, '{}');
    expect(res.status).toBe(415);
  });

  it('refuses a bodyless DELETE that names a non-JSON type with 415, and keeps the product', async () => {
    const { body: product } = await admin.agent.post('/products').send(validProduct).expect(201);
    const res = await admin.agent
      .delete(`/products/${product.id}`)
      .set('Content-Type', 'text/plain');
    expectErrorShape(res, 415);
    await api().get(`/products/${product.id}`).expect(200);
  });

  it('accepts a bodyless DELETE with no Content-Type', async () => {
    const { body: product } = await admin.agent.post('/products').send(validProduct).expect(201);
    await admin.agent.delete(`/products/${product.id}`).expect(204);
  });

  it('accepts JSON with a charset parameter', async () => {
    const user = { email: uniqueEmail(), name: 'Charset', password: 'long enough password' };
    await api()
      .post('/users')
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify(user))
      .expect(201);
  });

  it.each(['/products', '/users', '/auth/login'])(
    'answers 5,000 nested arrays posted to %s with a 400, not a 500',
    async (path) => {
      const res = await admin.agent
        .post(path)
        .set('Content-Type', 'application/json')
        .send(nestedArrays(5000));
      expectErrorShape(res, 400);
      expect(res.body.message).toBe('JSON may nest at most 32 levels');
    },
  );

  it('refuses 33 levels of nesting inside an object field, and lets 32 through to validation', async () => {
    const at = (levels: number) =>
      `{"email":${nestedArrays(levels - 1)},"name":"a","password":"b"}`;
    const deep = await api().post('/users').set('Content-Type', 'application/json').send(at(33));
    expectErrorShape(deep, 400);
    expect(deep.body.message).toBe('JSON may nest at most 32 levels');

    const allowed = await api().post('/users').set('Content-Type', 'application/json').send(at(32));
    expectErrorShape(allowed, 400);
    expect(allowed.body.message).toEqual(expect.arrayContaining(['email must be an email']));
  });

  it('does not count brackets inside strings as nesting', async () => {
    const user = { email: uniqueEmail(), name: '[{'.repeat(40), password: 'long enough password' };
    await api().post('/users').send(user).expect(201);
  });

  it('answers a body with 9,000 unknown keys with a small 400 listing at most 20 messages', async () => {
    const body = Object.fromEntries(Array.from({ length: 9000 }, (_, i) => [`k${i}`, 1]));
    const res = await api().post('/users').send(body);
    expectErrorShape(res, 400);
    expect(res.body.message).toHaveLength(20);
    expect(res.body.message[19]).toMatch(/^…and \d+ more validation errors$/);
    expect(Buffer.byteLength(res.text)).toBeLessThan(2048);
  });

  it('lists every message when there are 20 or fewer', async () => {
    const res = await api().post('/users').send({ email: 1, name: 2, password: 3 });
    expectErrorShape(res, 400);
    const messages = res.body.message as string[];
    expect(messages.length).toBeLessThanOrEqual(20);
    expect(messages).toContain('email must be an email');
    expect(messages.join('\n')).not.toMatch(/more validation errors/);
  });
});

/** A client that sends `head` and then stalls: what arrived back, and the moment its socket closed. */
interface StalledClient {
  socket: Socket;
  closed: Promise<string>;
}

function stallAfter(url: string, head: string): StalledClient {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.write(head);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

describe('Timeouts: stalled clients are answered 408 and closed (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv({ ...UNLIMITED, REQUEST_TIMEOUT_MS: '1000' }));
  });

  afterAll(() => instance.close());

  it('closes uploads that stall mid-body with 408 while serving other clients', async () => {
    const stalled = Array.from({ length: 8 }, () =>
      stallAfter(
        instance.url,
        'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000\r\n\r\n{"email": "stall',
      ),
    );
    for (let i = 0; i < 5; i++) {
      await request(instance.url).get('/health').expect(200);
      await request(instance.url).get('/products').expect(200);
    }
    const answers = await Promise.all(stalled.map((client) => client.closed));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a client that stalls in the middle of its headers with 408', async () => {
    const client = stallAfter(instance.url, 'GET /products HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await request(instance.url).get('/health').expect(200);
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that never sends a byte with 408', async () => {
    const client = stallAfter(instance.url, '');
    expect(await client.closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const client = stallAfter(instance.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.closed).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('Timeouts: headers have less time than bodies, and a timeout that bites is logged (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({ ...UNLIMITED, HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '60000' }),
    );
  });

  afterAll(() => instance.close());
  afterEach(() => jest.restoreAllMocks());

  it('closes a client stalled in its headers at HEADERS_TIMEOUT_MS while one stalled in its body keeps its connection', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const inBody = stallAfter(
      instance.url,
      'POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{"email": "stall',
    );
    const inHeaders = stallAfter(instance.url, 'GET /products HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    let bodyClosed = false;
    void inBody.closed.then(() => (bodyClosed = true));
    expect(await inHeaders.closed).toMatch(/^HTTP\/1\.1 408 /);
    await request(instance.url).get('/health').expect(200);
    expect(bodyClosed).toBe(false);
    inBody.socket.destroy();
    expect(warn.mock.calls.map(([message]) => String(message))).toContainEqual(
      expect.stringMatching(/^Answered 408 to /),
    );
  });
});

describe('Proxies: the rate limiter keys on the address Fastify derives under TRUST_PROXY (e2e)', () => {
  const loginsFromRotatingForwardedFor = async (instance: AppInstance): Promise<number[]> => {
    const email = uniqueEmail();
    await request(instance.url)
      .post('/users')
      .send({ email, name: 'Target', password: 'the right password' })
      .expect(201);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const spoofed = `198.51.100.${i + 1}, 203.0.113.${i + 1}`;
      const res = await request(instance.url)
        .post('/auth/login')
        .set('X-Forwarded-For', `${spoofed}, 192.0.2.10`)
        .send({ email, password: 'a wrong password' });
      statuses.push(res.status);
    }
    return statuses;
  };

  it.each([
    ['one hop (TRUST_PROXY=1)', '1'],
    ['the loopback proxy by address (TRUST_PROXY=127.0.0.1)', '127.0.0.1'],
  ])(
    'limits 30 logins that rotate the forged X-Forwarded-For entries behind %s',
    async (_name, trustProxy) => {
      const instance = await startInstance(
        await isolatedEnv({ THROTTLE_LIMIT: '1000000', TRUST_PROXY: trustProxy }),
      );
      try {
        const statuses = await loginsFromRotatingForwardedFor(instance);
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
        expect(statuses.slice(5)).toEqual(Array(25).fill(429));
      } finally {
        await instance.close();
      }
    },
  );
});

describe('Proxies: TRUST_PROXY=true is accepted with a start-up warning (e2e)', () => {
  afterEach(() => jest.restoreAllMocks());

  const startUpWarnings = async (trustProxy: string): Promise<string[]> => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const instance = await startInstance(await isolatedEnv({ TRUST_PROXY: trustProxy }));
    await instance.close();
    return warn.mock.calls.map(([message]) => String(message));
  };

  it('warns that every X-Forwarded-For entry is believed with TRUST_PROXY=true', async () => {
    expect(await startUpWarnings('true')).toContainEqual(
      expect.stringMatching(/^TRUST_PROXY=true believes every X-Forwarded-For entry/),
    );
  });

  it('does not warn with a hop count', async () => {
    expect(await startUpWarnings('1')).not.toContainEqual(expect.stringMatching(/TRUST_PROXY/));
  });
});

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
};

describe('Headers: helmet on every answer, HSTS in production only (e2e)', () => {
  let instance: AppInstance;
  let production: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv(UNLIMITED));
    production = await startInstance(
      await isolatedEnv({
        ...UNLIMITED,
        NODE_ENV: 'production',
        SESSION_SECRET: 'a-production-secret-of-at-least-32-chars',
      }),
    );
  });

  afterAll(() => Promise.all([instance.close(), production.close()]));

  it.each([
    ['a read', (url: string) => request(url).get('/products')],
    ['a write', (url: string) => request(url).post('/users').send({})],
    ['a 404', (url: string) => request(url).get('/nowhere')],
    [
      'a 415',
      (url: string) => request(url).post('/users').set('Content-Type', 'text/plain').send('x'),
    ],
    ['the health check', (url: string) => request(url).get('/health')],
    ['the docs', (url: string) => request(url).get('/docs')],
  ])(
    'puts nosniff, Referrer-Policy and frame blocking on %s, without HSTS outside production',
    async (_name, call) => {
      const res = await call(instance.url);
      expect(res.headers).toMatchObject(SECURITY_HEADERS);
      expect(res.headers).not.toHaveProperty('strict-transport-security');
    },
  );

  it("gives API answers the API's header set and the docs page helmet's whole set", async () => {
    const api = await request(instance.url).get('/products').expect(200);
    expect(api.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(api.headers).not.toHaveProperty('cross-origin-opener-policy');
    const docs = await request(instance.url).get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(docs.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('adds Strict-Transport-Security in production', async () => {
    const res = await request(production.url).get('/products').expect(200);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('serves the Swagger UI and every asset it loads, all same-origin and allowed by the CSP', async () => {
    const page = await request(production.url).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    // Scripts must be files (script-src 'self' forbids inline ones); inline styles are allowed.
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const assets = [...page.text.matchAll(/(?:src|href)=['"]([^'"]+\.(?:js|css|png))['"]/g)].map(
      ([, path]) => new URL(path, `${production.url}/docs`),
    );
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.origin).toBe(new URL(production.url).origin);
      const res = await request(production.url).get(asset.pathname).expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    await request(production.url).get('/docs-json').expect(200);
  });
});

describe('Conflicts with stored data answer 409 through the global filter (e2e)', () => {
  let instance: AppInstance;
  let admin: SignedIn;
  let db: Client;

  beforeAll(async () => {
    const env = await isolatedEnv(UNLIMITED);
    instance = await startInstance(env);
    admin = await adminAgent(instance);
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    // Tables a user of the starter might add, referring to products.
    await db.query(
      `CREATE TABLE order_lines (id serial PRIMARY KEY,
         product_id uuid NOT NULL REFERENCES products(id) ON DELETE RESTRICT)`,
    );
    await db.query(
      `CREATE TABLE wishlist_items (id serial PRIMARY KEY,
         product_id uuid NOT NULL REFERENCES products(id))`,
    );
  });

  afterAll(async () => {
    await db.end();
    await instance.close();
  });

  it.each([
    ['ON DELETE RESTRICT (SQLSTATE 23001)', 'order_lines'],
    ['the default NO ACTION (SQLSTATE 23503)', 'wishlist_items'],
  ])(
    'answers DELETE /products/:id with 409 while a row refers to it through %s',
    async (_name, table) => {
      const { body: product } = await admin.agent.post('/products').send(validProduct).expect(201);
      await db.query(`INSERT INTO ${table} (product_id) VALUES ($1)`, [product.id]);

      const res = await admin.agent.delete(`/products/${product.id}`);
      expectErrorShape(res, 409);
      await request(instance.url).get(`/products/${product.id}`).expect(200);

      await db.query(`DELETE FROM ${table} WHERE product_id = $1`, [product.id]);
      await admin.agent.delete(`/products/${product.id}`).expect(204);
    },
  );

  it('keeps the users feature its own 409 message for a taken email', async () => {
    const user = { email: uniqueEmail(), name: 'Twice', password: 'long enough password' };
    await request(instance.url).post('/users').send(user).expect(201);
    const res = await request(instance.url).post('/users').send(user);
    expectErrorShape(res, 409);
    expect(res.body.message).toBe('Email is already registered');
  });
});

describe("The README's caching example (findOneByOrFail under @Cacheable) (e2e)", () => {
  let instance: AppInstance;

  beforeAll(async () => {
    const env = await isolatedEnv(UNLIMITED);
    instance = await startInstance(env, withReadmeCacheExample(env));
  });

  afterAll(() => instance.close());

  it('answers an unknown id with 404, also when asked again', async () => {
    const id = randomUUID();
    for (let i = 0; i < 2; i++) {
      expectErrorShape(await request(instance.url).get(`/readme-example/${id}`), 404);
    }
  });

  it('answers a known id from the database, then from the cache', async () => {
    const admin = await adminAgent(instance);
    const { body: product } = await admin.agent.post('/products').send(validProduct).expect(201);
    const first = await request(instance.url).get(`/readme-example/${product.id}`).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await request(instance.url).get(`/readme-example/${product.id}`).expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(product);
  });
});
