import request from 'supertest';
import { AppInstance, startInstance } from './support/app-instance';
import { isolatedEnv } from './support/test-env';

describe('Products (e2e)', () => {
  let instance: AppInstance;

  beforeAll(async () => {
    instance = await startInstance(await isolatedEnv());
  });

  afterAll(() => instance.close());

  const api = () => request(instance.url);

  it('creates a product and answers it with an exact price', async () => {
    const res = await api()
      .post('/products')
      .send({ name: 'Cup', category: 'kitchen', price: 12.3, stock: 4 })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'Cup',
      description: '',
      category: 'kitchen',
      price: 12.3,
      stock: 4,
    });
    const got = await api().get(`/products/${res.body.id}`).expect(200);
    expect(got.body.price).toBe(12.3);
  });
});
