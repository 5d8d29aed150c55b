import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CreateProductDto } from './products/dto/create-product.dto';
import { ProductEntity } from './products/product.entity';
import { ProductsService } from './products/products.service';
import { runCommand } from './run-command';
import { UsersService } from './users/users.service';

/** The password of every demo member; they exist to sign in with. */
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

/** The demo admin: signs in with the password the run that made it printed. */
const DEMO_ADMIN = { email: 'admin@example.com', name: 'Demo Admin' };

/**
 * `npm run seed`: demo users, a demo admin and demo products, made through the app's own services
 * (so caches stay coherent), with the configuration read exactly as the app reads it. Idempotent:
 * what already exists is left alone.
 */
runCommand(async (app) => {
  const users = app.get(UsersService);
  const lines: string[] = [];
  if (await users.findCredentials(DEMO_ADMIN.email)) {
    lines.push(`The demo admin ${DEMO_ADMIN.email} exists already; it is left as it is.`);
  } else {
    const password = randomBytes(12).toString('base64url');
    await users.create({ ...DEMO_ADMIN, password });
    await users.setRole(DEMO_ADMIN.email, 'admin');
    lines.push(`Created the demo admin ${DEMO_ADMIN.email} with the password ${password}`);
  }
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
  lines.push(
    `Created ${createdUsers} of ${DEMO_USERS.length} demo members (password "${DEMO_PASSWORD}") ` +
      `and ${createdProducts} of ${DEMO_PRODUCTS.length} demo products; the rest existed.`,
  );
  return lines.join('\n');
});
