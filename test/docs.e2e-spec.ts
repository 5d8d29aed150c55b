import request from 'supertest';
import { AppInstance, startInstance } from './support/app-instance';
import { isolatedEnv } from './support/test-env';

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: { format?: string } }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** Every route of the service contract, as OpenAPI spells its path. */
const CONTRACT: [method: string, path: string][] = [
  ['post', '/users'],
  ['get', '/users'],
  ['get', '/users/{id}'],
  ['patch', '/users/{id}'],
  ['delete', '/users/{id}'],
  ['get', '/products'],
  ['get', '/products/{id}'],
  ['get', '/products/trending'],
  ['post', '/products'],
  ['patch', '/products/{id}'],
  ['delete', '/products/{id}'],
  ['post', '/auth/login'],
  ['get', '/auth/me'],
  ['post', '/auth/logout'],
  ['post', '/reports/inventory'],
  ['get', '/reports/inventory/latest'],
  ['get', '/reports/inventory/runs'],
  ['get', '/health'],
  ['get', '/metrics'],
];
const FOUNDATION = CONTRACT.filter(([, path]) => /^\/(users|products|health|metrics)/.test(path));

describe('OpenAPI document at /docs-json (e2e)', () => {
  let instance: AppInstance;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv());
    doc = (await request(instance.url).get('/docs-json').expect(200)).body as OpenApiDocument;
  });

  afterAll(() => instance.close());

  it.each(FOUNDATION)('documents %s %s', (method, path) => {
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it.each(CONTRACT)('documents %s %s if the service serves it', async (method, path) => {
    if (doc.paths[path]?.[method]) return;
    const concrete = path.replace('{id}', '00000000-0000-4000-8000-000000000000');
    const res = await request(instance.url)[method as 'get'](concrete);
    expect(res.body.message).toBe(`Cannot ${method.toUpperCase()} ${concrete}`);
  });

  it('serves the UI at /docs', async () => {
    const res = await request(instance.url).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it.each([
    '/docs/package.json',
    '/docs/README.md',
    '/docs/index.js',
    '/docs/swagger-ui.js.map',
    '/docs/docs/package.json',
    '/docs/./package.json',
    '/docs/%70ackage.json',
  ])('answers %s, a swagger-ui file the UI does not load, as an unknown route', async (path) => {
    const res = await request(instance.url).get(path).expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(res.text).not.toContain('swagger-ui-dist');
  });

  it('still serves the files the UI loads', async () => {
    for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
      await request(instance.url).get(`/docs/${file}`).expect(200);
    }
  });

  it('describes request bodies with the DTO schemas', () => {
    const bodyRef = (method: string, path: string) =>
      doc.paths[path][method].requestBody?.content['application/json'].schema.$ref;
    expect(bodyRef('post', '/users')).toBe('#/components/schemas/CreateUserDto');
    expect(bodyRef('patch', '/users/{id}')).toBe('#/components/schemas/UpdateUserDto');
    expect(bodyRef('post', '/products')).toBe('#/components/schemas/CreateProductDto');
    expect(bodyRef('patch', '/products/{id}')).toBe('#/components/schemas/UpdateProductDto');
    const props = (name: string) => Object.keys(doc.components.schemas[name].properties ?? {});
    expect(props('CreateUserDto').sort()).toEqual(['email', 'name', 'password']);
    expect(props('CreateProductDto').sort()).toEqual([
      'category',
      'description',
      'name',
      'price',
      'stock',
    ]);
  });

  it('describes answers without any password field', () => {
    const props = (name: string) => Object.keys(doc.components.schemas[name].properties ?? {});
    expect(props('UserDto').sort()).toEqual([
      'createdAt',
      'email',
      'id',
      'name',
      'role',
      'updatedAt',
    ]);
    expect(props('ProductDto')).toEqual(expect.arrayContaining(['id', 'price', 'stock']));
  });

  it('documents 403 on the admin routes and on the routes for that user', () => {
    const adminOnly = CONTRACT.filter(
      ([method, path]) =>
        path.startsWith('/reports') ||
        (path.startsWith('/products') && method !== 'get') ||
        (path.startsWith('/users') && method !== 'post'),
    );
    for (const [method, path] of adminOnly) {
      expect({ method, path, responses: Object.keys(doc.paths[path][method].responses) }).toEqual({
        method,
        path,
        responses: expect.arrayContaining(['401', '403']),
      });
    }
  });

  it('documents currentPassword on PATCH /users/:id and one uuid id parameter per route', () => {
    const props = Object.keys(doc.components.schemas.UpdateUserDto.properties ?? {});
    expect(props.sort()).toEqual(['currentPassword', 'email', 'name', 'password']);
    for (const [method, path] of CONTRACT.filter(([, p]) => p.includes('{id}'))) {
      const ids = (doc.paths[path][method].parameters ?? []).filter((p) => p.in === 'path');
      expect(ids).toEqual([
        expect.objectContaining({ name: 'id', schema: { format: 'uuid', type: 'string' } }),
      ]);
    }
  });

  it('lists the filters, sort and paging of GET /products and the paging of GET /users', () => {
    const params = (path: string) =>
      (doc.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params('/products').sort()).toEqual(
      ['category', 'limit', 'maxPrice', 'minPrice', 'page', 'q', 'sort'].sort(),
    );
    expect(params('/users').sort()).toEqual(['limit', 'page']);
  });

  it('describes GET /products/trending: its window and limit, and items of product and views', () => {
    const trending = doc.paths['/products/trending'].get;
    expect((trending.parameters ?? []).map((p) => p.name).sort()).toEqual(['limit', 'window']);
    const props = (name: string) => Object.keys(doc.components.schemas[name].properties ?? {});
    expect(props('TrendingDto').sort()).toEqual(['items', 'window']);
    expect(props('TrendingItemDto').sort()).toEqual(['product', 'views']);
  });
});
