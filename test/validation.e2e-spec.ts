import { randomUUID } from 'node:crypto';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { adminAgent } from './support/admin-agent';
import { AppInstance, startInstance } from './support/app-instance';
import { expectErrorShape } from './support/error-shape';
import { SignedIn } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';

type Method = 'get' | 'post' | 'patch' | 'delete';

interface BadRequestCase {
  name: string;
  method: Method;
  /** `:product` and `:user` stand for the id of an existing product and of the signed-in user. */
  path: string;
  /** A string is sent raw, anything else as JSON. */
  body?: unknown;
  contentType?: string;
  status: number;
}

const validUser = { email: 'valid@example.com', name: 'Valid', password: 'long enough password' };
const validProduct = { name: 'Cup', category: 'kitchen', price: 12.5, stock: 3 };
const overLimit = 'x'.repeat(101 * 1024);

const bodyCases = (resource: 'users' | 'products', valid: Record<string, unknown>) => {
  const post = (name: string, body: unknown, status = 400, contentType?: string) => ({
    name: `POST /${resource} ${name}`,
    method: 'post' as const,
    path: `/${resource}`,
    body,
    status,
    contentType,
  });
  return [
    post('with malformed JSON', '{"name": "Cup",', 400, 'application/json'),
    post('with an empty JSON body', '', 400, 'application/json'),
    post('with no body at all', undefined),
    post('with a JSON array', [valid]),
    post('with JSON null', 'null', 400, 'application/json'),
    post('with a JSON string', '"hello"', 400, 'application/json'),
    post('with a JSON number', '42', 400, 'application/json'),
    post('with an empty object', {}),
    post('with an unknown field', { ...valid, isAdmin: true }),
    post(
      'with a prototype-poisoning key',
      `{"__proto__": {"x": 1}, "name": "a"}`,
      400,
      'application/json',
    ),
    post('with a body over 100 kB', { ...valid, name: overLimit }, 413),
    post('as text/plain', JSON.stringify(valid), 415, 'text/plain'),
    post('as a form', 'name=a&category=b', 415, 'application/x-www-form-urlencoded'),
    post('as XML', '<product/>', 415, 'application/xml'),
    post(
      'with JSON nested 5,000 levels deep',
      '['.repeat(5000) + ']'.repeat(5000),
      400,
      'application/json',
    ),
  ];
};

const userFieldCases: [string, Record<string, unknown>][] = [
  ['an email that is a number', { email: 42 }],
  ['an email that is not an email', { email: 'not-an-email' }],
  ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com` }],
  ['a name that is a number', { name: 7 }],
  ['a name that is an object', { name: { first: 'Ada' } }],
  ['an empty name', { name: '' }],
  ['a name over 100 characters', { name: 'n'.repeat(101) }],
  ['a password under 8 characters', { password: 'short' }],
  ['a password over 128 characters', { password: 'p'.repeat(129) }],
  ['a password that is a number', { password: 12345678 }],
  ['a null name', { name: null }],
];

const productFieldCases: [string, Record<string, unknown>][] = [
  ['a price given as a string', { price: '12.50' }],
  ['a price with three decimals', { price: 12.345 }],
  ['a price in exponent notation with seven decimals', { price: 1e-7 }],
  ['a negative price', { price: -1 }],
  ['a price above numeric(12,2)', { price: 10_000_000_000 }],
  ['a price that is a boolean', { price: true }],
  ['a stock that is fractional', { stock: 1.5 }],
  ['a stock given as a string', { stock: '3' }],
  ['a negative stock', { stock: -1 }],
  ['a stock above a 32-bit integer', { stock: 2 ** 31 }],
  ['a name that is a number', { name: 123 }],
  ['an empty name', { name: '' }],
  ['a name over 200 characters', { name: 'n'.repeat(201) }],
  ['a category over 50 characters', { category: 'c'.repeat(51) }],
  ['a description over 2000 characters', { description: 'd'.repeat(2001) }],
  ['a description that is an array', { description: ['a'] }],
  ['a NUL character in the name', { name: 'a\u0000b' }],
  ['a null price', { price: null }],
];

const cases: BadRequestCase[] = [
  ...bodyCases('users', validUser),
  ...bodyCases('products', validProduct),
  ...userFieldCases.map(([name, patch]) => ({
    name: `POST /users with ${name}`,
    method: 'post' as const,
    path: '/users',
    body: { ...validUser, ...patch },
    status: 400,
  })),
  ...userFieldCases.map(([name, patch]) => ({
    name: `PATCH /users/:id with ${name}`,
    method: 'patch' as const,
    path: '/users/:user',
    body: patch,
    status: 400,
  })),
  ...productFieldCases.map(([name, patch]) => ({
    name: `POST /products with ${name}`,
    method: 'post' as const,
    path: '/products',
    body: { ...validProduct, ...patch },
    status: 400,
  })),
  ...productFieldCases.map(([name, patch]) => ({
    name: `PATCH /products/:id with ${name}`,
    method: 'patch' as const,
    path: '/products/:product',
    body: patch,
    status: 400,
  })),
  {
    name: 'POST /products with a price that overflows to Infinity',
    method: 'post',
    path: '/products',
    body: '{"name": "Cup", "category": "kitchen", "stock": 1, "price": 1e400}',
    contentType: 'application/json',
    status: 400,
  },
  {
    name: 'PATCH /products/:id with an unknown field',
    method: 'patch',
    path: '/products/:product',
    body: { colour: 'red' },
    status: 400,
  },
  {
    name: 'PATCH /users/:id with an unknown field',
    method: 'patch',
    path: '/users/:user',
    body: { role: 'admin' },
    status: 400,
  },
  {
    name: 'PATCH /products/:id with a JSON array',
    method: 'patch',
    path: '/products/:product',
    body: [{ name: 'x' }],
    status: 400,
  },
  {
    name: 'PATCH /products/:id with malformed JSON',
    method: 'patch',
    path: '/products/:product',
    body: '{',
    contentType: 'application/json',
    status: 400,
  },
  {
    name: 'PATCH /products/:id as a form',
    method: 'patch',
    path: '/products/:product',
    body: 'name=x',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
  },
  {
    name: 'PATCH /users/:id with JSON nested 40 levels deep',
    method: 'patch',
    path: '/users/:user',
    body: `{"name":${'['.repeat(39)}${']'.repeat(39)}}`,
    contentType: 'application/json',
    status: 400,
  },
  {
    name: 'PATCH /products/:id with a body over 100 kB',
    method: 'patch',
    path: '/products/:product',
    body: { description: overLimit },
    status: 413,
  },
];

const malformedIds = [
  'abc',
  '123',
  `${randomUUID()}0`,
  randomUUID().replace(/-/g, ''),
  'null',
  '%20',
];
const idCases: BadRequestCase[] = malformedIds.flatMap((id) =>
  (['products', 'users'] as const).flatMap((resource) =>
    (['get', 'patch', 'delete'] as const).map((method) => ({
      name: `${method.toUpperCase()} /${resource}/${id} (a malformed id)`,
      method,
      path: `/${resource}/${id}`,
      body: method === 'patch' ? {} : undefined,
      status: 400,
    })),
  ),
);

const badQueries = [
  'page=0',
  'page=-1',
  'page=abc',
  'page=1.5',
  'page=99999999999999999999',
  'page=1000001',
  'page=1&page=2',
  'limit=0',
  'limit=-5',
  'limit=101',
  'limit=1e400',
  'limit=ten',
  'unknown=1',
];
const badProductQueries = [
  'sort=bogus',
  'sort=--name',
  'sort=password',
  'minPrice=abc',
  'minPrice=-1',
  'maxPrice=1e400',
  'maxPrice=99999999999',
  'category=',
  `category=${'c'.repeat(51)}`,
  'category=a&category=b',
  'q=',
  'q=%00',
  'q[$ne]=x',
];
const queryCases: BadRequestCase[] = [
  ...[...badQueries, ...badProductQueries].map((query) => ({
    name: `GET /products?${query}`,
    method: 'get' as const,
    path: `/products?${query}`,
    status: 400,
  })),
  ...badQueries.map((query) => ({
    name: `GET /users?${query}`,
    method: 'get' as const,
    path: `/users?${query}`,
    status: 400,
  })),
];

function send(agent: TestAgent, c: BadRequestCase, ids: Record<string, string>) {
  const path = c.path.replace(/:(product|user)\b/, (_, key: string) => ids[key]);
  let req = agent[c.method](path);
  if (c.contentType) req = req.set('Content-Type', c.contentType);
  return c.body === undefined ? req : req.send(c.body as string | object);
}

describe('Bad input is answered 4xx with the error shape, never 5xx (e2e)', () => {
  let instance: AppInstance;
  let signedIn: SignedIn;
  let ids: Record<string, string>;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({ THROTTLE_LIMIT: '1000000', LOGIN_THROTTLE_LIMIT: '1000000' }),
    );
    signedIn = await adminAgent(instance);
    const product = await signedIn.agent.post('/products').send(validProduct).expect(201);
    ids = { product: product.body.id, user: signedIn.user.id };
  });

  afterAll(() => instance.close());

  it.each([...cases, ...idCases, ...queryCases])('$name → $status', async (c) => {
    expectErrorShape(await send(signedIn.agent, c, ids), c.status);
  });

  it('leaves the product and the user unchanged after all the bad writes', async () => {
    const product = await signedIn.agent.get(`/products/${ids.product}`).expect(200);
    expect(product.body).toMatchObject(validProduct);
    const user = await signedIn.agent.get(`/users/${ids.user}`).expect(200);
    expect(user.body).toMatchObject({ name: signedIn.user.name, email: signedIn.user.email });
  });

  it('answers 404 with the error shape for an unknown route', async () => {
    expectErrorShape(await request(instance.url).get('/nowhere'), 404);
  });

  it('answers 400 for a path with broken percent-encoding', async () => {
    expectErrorShape(await request(instance.url).get('/products/%E0%A4%A'), 400);
  });
});

describe('Production answers carry no stack traces (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(
      await isolatedEnv({
        NODE_ENV: 'production',
        SESSION_SECRET: 'a-production-secret-of-at-least-32-chars',
        THROTTLE_LIMIT: '1000000',
      }),
    );
  });

  afterAll(() => instance.close());

  const api = () => request(instance.url);

  it.each([
    {
      name: 'malformed JSON',
      status: 400,
      call: () => api().post('/users').set('Content-Type', 'application/json').send('{'),
    },
    {
      name: 'a body over 100 kB',
      status: 413,
      call: () =>
        api()
          .post('/users')
          .send({ ...validUser, name: overLimit }),
    },
    {
      name: 'a wrong type',
      status: 400,
      call: () =>
        api()
          .post('/users')
          .send({ ...validUser, name: 1 }),
    },
    { name: 'a NUL character in a query', status: 400, call: () => api().get('/products?q=%00') },
    { name: 'a malformed id', status: 400, call: () => api().get('/products/abc') },
    { name: 'an unknown product', status: 404, call: () => api().get(`/products/${randomUUID()}`) },
    { name: 'an unknown route', status: 404, call: () => api().get('/nowhere') },
  ])('$name → $status without a stack trace', async ({ call, status }) => {
    expectErrorShape(await call(), status);
  });
});
