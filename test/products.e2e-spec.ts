import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { adminAgent } from './support/admin-agent';
import { AppInstance, startInstance } from './support/app-instance';
import { expectErrorShape } from './support/error-shape';
import { isolatedEnv } from './support/test-env';

interface Product {
  id: string;
  name: string;
  description: string;
  category: string;
  price: number;
  stock: number;
  createdAt: string;
  updatedAt: string;
}

const PRODUCT_KEYS = [
  'category',
  'createdAt',
  'description',
  'id',
  'name',
  'price',
  'stock',
  'updatedAt',
];

describe('Products (e2e)', () => {
  let instance: AppInstance;
  let db: Client;
  let agent: TestAgent;

  beforeAll(async () => {
    const env = await isolatedEnv({ THROTTLE_LIMIT: '1000000', LOGIN_THROTTLE_LIMIT: '1000000' });
    instance = await startInstance(env);
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    agent = (await adminAgent(instance)).agent;
  });

  afterAll(async () => {
    await db.end();
    await instance.close();
  });

  /** A category of its own, so that a list test sees only the products it made. */
  const freshCategory = () => `c-${randomBytes(5).toString('hex')}`;

  const create = async (fields: Partial<Product>): Promise<Product> => {
    const res = await agent
      .post('/products')
      .send({ name: 'Thing', category: 'misc', price: 1, stock: 1, ...fields })
      .expect(201);
    return res.body as Product;
  };

  const list = async (query: string): Promise<{ items: Product[]; total: number }> => {
    const res = await request(instance.url).get(`/products?${query}`).expect(200);
    return res.body as { items: Product[]; total: number };
  };

  const names = async (query: string): Promise<string[]> =>
    (await list(query)).items.map((p) => p.name);

  describe('POST /products', () => {
    it('answers 201 with every field, description defaulting to ""', async () => {
      const res = await agent
        .post('/products')
        .send({ name: 'Cup', category: 'kitchen', price: 12.3, stock: 4 })
        .expect(201);
      expect(Object.keys(res.body).sort()).toEqual(PRODUCT_KEYS);
      expect(res.body).toMatchObject({
        name: 'Cup',
        description: '',
        category: 'kitchen',
        price: 12.3,
        stock: 4,
      });
    });

    it('keeps a given description, and accepts price 0 and stock 0', async () => {
      const product = await create({ description: 'Porcelain, 80 ml', price: 0, stock: 0 });
      expect(product).toMatchObject({ description: 'Porcelain, 80 ml', price: 0, stock: 0 });
    });

    it.each([0.1, 0.2, 19.99, 1234567.89, 0.01, 9999999999.99])(
      'round-trips price %p exactly, as numeric in the database',
      async (price) => {
        const created = await create({ price });
        expect(created.price).toBe(price);
        const read = await request(instance.url).get(`/products/${created.id}`).expect(200);
        expect(read.body.price).toBe(price);
        const { rows } = await db.query<{ price: string; type: string }>(
          'SELECT price::text AS price, pg_typeof(price)::text AS type FROM products WHERE id = $1',
          [created.id],
        );
        expect(rows[0]).toEqual({ price: price.toFixed(2), type: 'numeric' });
      },
    );

    it('answers 400 for a price with three decimals and stores nothing', async () => {
      const category = freshCategory();
      const res = await agent
        .post('/products')
        .send({ name: 'Too precise', category, price: 19.999, stock: 1 });
      expectErrorShape(res, 400);
      expect((await list(`category=${category}`)).total).toBe(0);
    });
  });

  describe('GET /products/:id', () => {
    it('answers 200 with the product to anyone', async () => {
      const product = await create({ name: 'Readable' });
      const res = await request(instance.url).get(`/products/${product.id}`).expect(200);
      expect(res.body).toEqual(product);
    });

    it('answers 404 with the error shape for an unknown id', async () => {
      const res = await request(instance.url).get('/products/00000000-0000-4000-8000-000000000000');
      expectErrorShape(res, 404);
    });
  });

  describe('PATCH /products/:id', () => {
    it('changes only the given fields, keeps the price exact and moves updatedAt forward', async () => {
      const product = await create({ name: 'Before', description: 'kept', price: 5, stock: 2 });
      const res = await agent
        .patch(`/products/${product.id}`)
        .send({ name: 'After', price: 19.99 })
        .expect(200);
      expect(res.body).toMatchObject({
        id: product.id,
        name: 'After',
        description: 'kept',
        category: product.category,
        price: 19.99,
        stock: 2,
        createdAt: product.createdAt,
      });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(product.updatedAt));
      const { rows: stamps } = await db.query(
        'SELECT updated_at > created_at AS moved FROM products WHERE id = $1',
        [product.id],
      );
      expect(stamps).toEqual([{ moved: true }]);
      const read = await request(instance.url).get(`/products/${product.id}`).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('answers 404 for an unknown id', async () => {
      const res = await agent
        .patch('/products/00000000-0000-4000-8000-000000000000')
        .send({ name: 'Nobody' });
      expectErrorShape(res, 404);
    });
  });

  describe('DELETE /products/:id', () => {
    it('answers 204 with no body, then 404 on read and on a second delete', async () => {
      const product = await create({ name: 'Doomed' });
      const res = await agent.delete(`/products/${product.id}`).expect(204);
      expect(res.text).toBe('');
      expectErrorShape(await request(instance.url).get(`/products/${product.id}`), 404);
      expectErrorShape(await agent.delete(`/products/${product.id}`), 404);
    });
  });

  describe('GET /products', () => {
    it('answers page 1 of 20 by default with the total', async () => {
      const category = freshCategory();
      for (let i = 0; i < 23; i++) await create({ name: `Item ${i}`, category });
      const res = await list(`category=${category}`);
      expect(res).toMatchObject({ page: 1, limit: 20, total: 23 });
      expect(res.items).toHaveLength(20);
      const page2 = await list(`category=${category}&page=2`);
      expect(page2).toMatchObject({ page: 2, limit: 20, total: 23 });
      expect(page2.items).toHaveLength(3);
      const ids = new Set([...res.items, ...page2.items].map((p) => p.id));
      expect(ids.size).toBe(23);
      expect(await list(`category=${category}&limit=100`)).toMatchObject({ limit: 100 });
    });

    it('filters by exact category', async () => {
      const category = freshCategory();
      await create({ name: 'In', category });
      await create({ name: 'Out', category: `${category}x` });
      expect(await names(`category=${category}`)).toEqual(['In']);
    });

    it('treats minPrice and maxPrice as inclusive bounds', async () => {
      const category = freshCategory();
      for (const price of [9.99, 10, 15.5, 20, 20.01]) {
        await create({ name: `P${price}`, category, price });
      }
      const inRange = await names(`category=${category}&minPrice=10&maxPrice=20&sort=price`);
      expect(inRange).toEqual(['P10', 'P15.5', 'P20']);
      expect(await names(`category=${category}&minPrice=20.01&sort=price`)).toEqual(['P20.01']);
      expect(await names(`category=${category}&maxPrice=9.99`)).toEqual(['P9.99']);
    });

    it('matches q as a case-insensitive substring of the name', async () => {
      const category = freshCategory();
      for (const name of ['Red Mug', 'mug rack', 'SMUGGLER', 'Plate']) {
        await create({ name, category });
      }
      expect((await names(`category=${category}&q=MuG&sort=name`)).sort()).toEqual([
        'Red Mug',
        'SMUGGLER',
        'mug rack',
      ]);
    });

    it('takes %, _ and \\ in q literally', async () => {
      const category = freshCategory();
      for (const name of ['100% cotton', '100 cotton', 'snake_case', 'snakeXcase', 'back\\slash']) {
        await create({ name, category });
      }
      const q = (text: string) => names(`category=${category}&q=${encodeURIComponent(text)}`);
      expect(await q('%')).toEqual(['100% cotton']);
      expect(await q('0% c')).toEqual(['100% cotton']);
      expect(await q('_')).toEqual(['snake_case']);
      expect(await q('e_c')).toEqual(['snake_case']);
      expect(await q('\\')).toEqual(['back\\slash']);
    });

    describe('sort', () => {
      const category = freshCategory();
      const made: Product[] = [];

      beforeAll(async () => {
        const rows = [
          { name: 'banana', price: 3 },
          { name: 'Apple', price: 1.5 },
          { name: 'cherry', price: 2.25 },
        ];
        for (const row of rows) made.push(await create({ ...row, category }));
      });

      it.each([
        ['name', ['Apple', 'banana', 'cherry']],
        ['-name', ['cherry', 'banana', 'Apple']],
        ['price', ['Apple', 'cherry', 'banana']],
        ['-price', ['banana', 'cherry', 'Apple']],
        ['createdAt', ['banana', 'Apple', 'cherry']],
        ['-createdAt', ['cherry', 'Apple', 'banana']],
      ])('sort=%s orders the list', async (sort, expected) => {
        const sorted = await names(`category=${category}&sort=${sort}`);
        if (sort.endsWith('name')) {
          // The database collation decides where upper and lower case go; compare case-blind.
          expect(sorted.map((n) => n.toLowerCase())).toEqual(expected.map((n) => n.toLowerCase()));
        } else {
          expect(sorted).toEqual(expected);
        }
      });

      it('orders by -createdAt when no sort is given', async () => {
        expect(await names(`category=${category}`)).toEqual(['cherry', 'Apple', 'banana']);
        expect(made.map((p) => p.name)).toEqual(['banana', 'Apple', 'cherry']);
      });
    });
  });
});
