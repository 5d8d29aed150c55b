import 'reflect-metadata';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { createApp } from '../app.setup';
import { exitOnStartupError } from '../config/validate-environment';
import { CreateProductDto } from '../products/dto/create-product.dto';
import { ProductEntity } from '../products/product.entity';
import { ProductsService } from '../products/products.service';
import { UsersService } from '../users/users.service';

/** The password of every demo user; they exist to sign in with. */
const DEMO_PASSWORD = 'demo-password';

const DEMO_USERS = [
  { email: 'ada@example.com', name: 'Ada Lovelace' },
  { email: 'grace@example.com', name: 'Grace Hopper' },
  { email: 'linus@example.com', name: 'Linus Torvalds' },
];

const DEMO_PRODUCTS: CreateProductDto[] = [
  {
    name: 'Espresso cup',
    category: 'kitchen',
    price: 8.5,
    stock: 120,
    description: 'Porcelain, 80 ml',
  },
  { name: 'Chef knife', category: 'kitchen', price: 89.99, stock: 15 },
  { name: 'Cast iron pan', category: 'kitchen', price: 45, stock: 30 },
  { name: 'Mechanical keyboard', category: 'electronics', price: 129.9, stock: 25 },
  { name: 'USB-C cable', category: 'electronics', price: 9.99, stock: 500 },
  { name: '4K monitor', category: 'electronics', price: 399.99, stock: 8 },
  { name: 'Trail running shoes', category: 'sports', price: 119.95, stock: 40 },
  { name: 'Yoga mat', category: 'sports', price: 24.99, stock: 60 },
  { name: '100% cotton T-shirt', category: 'clothing', price: 19.99, stock: 200 },
  { name: 'Rain jacket', category: 'clothing', price: 149, stock: 12 },
  { name: 'The Art of Computer Programming', category: 'books', price: 199.99, stock: 5 },
  { name: 'Clean Code', category: 'books', price: 37.5, stock: 22 },
];

/**
 * Fills demo users and products through the app's own services (so caches stay coherent), reading
 * the configuration exactly as the app does. Idempotent: what already exists is left alone.
 */
async function seed(): Promise<void> {
  const overrides = { INVENTORY_REPORT_SCHEDULE: 'false' };
  // The whole app, not an application context: some modules hook into the HTTP server. It never listens.
  const app = await createApp(overrides);
  await app.init();
  try {
    const users = app.get(UsersService);
    let createdUsers = 0;
    for (const user of DEMO_USERS) {
      if (await users.findCredentials(user.email)) continue;
      await users.create({ ...user, password: DEMO_PASSWORD });
      createdUsers++;
    }
    const products = app.get(ProductsService);
    const rows = app.get<Repository<ProductEntity>>(getRepositoryToken(ProductEntity));
    let createdProducts = 0;
    for (const product of DEMO_PRODUCTS) {
      if (await rows.existsBy({ name: product.name, category: product.category })) continue;
      await products.create(product);
      createdProducts++;
    }
    // The command's result: printed whatever LOG_LEVEL silences.
    console.log(
      `Created ${createdUsers} of ${DEMO_USERS.length} demo users (password "${DEMO_PASSWORD}") ` +
        `and ${createdProducts} of ${DEMO_PRODUCTS.length} demo products; the rest existed.`,
    );
  } finally {
    await app.close();
  }
}

seed().catch(exitOnStartupError);
