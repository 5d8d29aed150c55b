import request from 'supertest';
import type { AppInstance } from './app-instance';
import { waitFor } from './ports';

/**
 * A new product (`cookie`: an admin's session), read on every instance until each answers it from
 * its cache; resolves to its id.
 */
export async function cachedEverywhere(
  instances: AppInstance[],
  cookie: string,
  name: string,
): Promise<string> {
  const created = await request(instances[0].url)
    .post('/products')
    .set('Cookie', cookie)
    .send({ name, category: 'failover', price: 10, stock: 1 })
    .expect(201);
  const id = created.body.id as string;
  for (const instance of instances) {
    await waitFor(
      async () => (await request(instance.url).get(`/products/${id}`)).headers['x-cache'] === 'HIT',
      10_000,
      'a cached read',
    );
  }
  return id;
}

/** Sets the product's price through the first instance, answered 200. */
export async function patchPrice(
  instances: AppInstance[],
  cookie: string,
  id: string,
  price: number,
): Promise<void> {
  await request(instances[0].url)
    .patch(`/products/${id}`)
    .set('Cookie', cookie)
    .send({ price })
    .expect(200);
}

/**
 * Reads the product on every instance, again and again, until each has answered twice from Redis
 * (not BYPASS): every answer, those in between included, must show `price`.
 */
export async function everyReadShows(
  instances: AppInstance[],
  id: string,
  price: number,
): Promise<void> {
  const prices: number[] = [];
  for (const instance of instances) {
    let fromRedis = 0;
    await waitFor(
      async () => {
        const read = await request(instance.url).get(`/products/${id}`).expect(200);
        prices.push(read.body.price as number);
        if (read.headers['x-cache'] !== 'BYPASS') fromRedis++;
        return fromRedis >= 2;
      },
      20_000,
      'reads answered from Redis again',
    );
  }
  expect(prices.filter((seen) => seen !== price)).toEqual([]);
}
