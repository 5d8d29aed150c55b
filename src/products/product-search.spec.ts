import { ProductQueryDto } from './dto/product-query.dto';
import { productOfRow, productSearch } from './product-search';

const query = (fields: Partial<ProductQueryDto> = {}): ProductQueryDto =>
  Object.assign(new ProductQueryDto(), fields);

describe(productSearch.name, () => {
  it('orders by -createdAt then id, 20 from the start, with no filter when nothing is given', () => {
    const { page, count } = productSearch(query());
    expect(page.text).toBe(
      'SELECT id, name, description, category, price, stock, created_at AS "createdAt", ' +
        'updated_at AS "updatedAt" FROM products ORDER BY created_at DESC, id ASC LIMIT $1 OFFSET $2',
    );
    expect(page.values).toEqual([20, 0]);
    expect(count).toEqual({ text: 'SELECT count(*)::int AS total FROM products', values: [] });
  });

  it('filters by category and inclusive price bounds, and sorts ascending without "-"', () => {
    const { page, count } = productSearch(
      query({ category: 'kitchen', minPrice: 10, maxPrice: 20, sort: 'price', page: 3, limit: 5 }),
    );
    const filter = 'WHERE category = $1 AND price >= $2 AND price <= $3';
    expect(page.text).toContain(
      `FROM products ${filter} ORDER BY price ASC, id ASC LIMIT $4 OFFSET $5`,
    );
    expect(page.values).toEqual(['kitchen', 10, 20, 5, 10]);
    expect(count).toEqual({
      text: `SELECT count(*)::int AS total FROM products ${filter}`,
      values: ['kitchen', 10, 20],
    });
  });

  it('searches q lower-cased with %, _ and \\ escaped so that they match literally', () => {
    const { page } = productSearch(query({ q: '100%_A\\b', sort: '-name' }));
    expect(page.text).toContain('WHERE lower(name) LIKE $1 ORDER BY name DESC, id ASC');
    expect(page.values[0]).toBe('%100\\%\\_a\\\\b%');
  });
});

describe(productOfRow.name, () => {
  it('answers the exact decimal price as a JSON number', () => {
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const row = {
      id: 'a',
      name: 'Cup',
      description: '',
      category: 'kitchen',
      price: '12.50',
      stock: 3,
    };
    expect(productOfRow({ ...row, createdAt, updatedAt: createdAt })).toEqual({
      ...row,
      price: 12.5,
      createdAt,
      updatedAt: createdAt,
    });
  });
});
