import { money } from '../database/column-transformers';
import type { ProductDto } from './dto/product.dto';
import type { ProductQueryDto } from './dto/product-query.dto';

/** `%`, `_` and the escape character itself are literal in a `q` search. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const SORT_COLUMNS = { name: 'name', price: 'price', createdAt: 'created_at' } as const;

const COLUMNS =
  'id, name, description, category, price, stock, created_at AS "createdAt", updated_at AS "updatedAt"';

/** One page of a product search in SQL: the rows, and the count of every match. */
export interface ProductSearch {
  page: { text: string; values: unknown[] };
  count: { text: string; values: unknown[] };
}

/**
 * The SQL of `GET /products`: only the filters given, the sort column from a fixed list (then `id`,
 * so that pages never overlap), every value a parameter. Written as SQL rather than built by TypeORM's
 * query builder, which spent about 200 µs of CPU building each such query: on a list that misses the
 * cache that was more than the rest of the request (bench/README.md).
 */
export function productSearch(query: ProductQueryDto): ProductSearch {
  const { category, minPrice, maxPrice, q, sort, page, limit } = query;
  const conditions: string[] = [];
  const values: unknown[] = [];
  const where = (condition: (placeholder: string) => string, value: unknown): void => {
    values.push(value);
    conditions.push(condition(`$${values.length}`));
  };
  if (category !== undefined) where((p) => `category = ${p}`, category);
  if (minPrice !== undefined) where((p) => `price >= ${p}`, minPrice);
  if (maxPrice !== undefined) where((p) => `price <= ${p}`, maxPrice);
  if (q !== undefined) where((p) => `lower(name) LIKE ${p}`, `%${escapeLike(q.toLowerCase())}%`);
  const filter = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const descending = sort.startsWith('-');
  const column = SORT_COLUMNS[sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS];
  const order = ` ORDER BY ${column} ${descending ? 'DESC' : 'ASC'}, id ASC`;
  const paging = ` LIMIT $${values.length + 1} OFFSET $${values.length + 2}`;
  return {
    page: {
      text: `SELECT ${COLUMNS} FROM products${filter}${order}${paging}`,
      values: [...values, limit, (page - 1) * limit],
    },
    count: { text: `SELECT count(*)::int AS total FROM products${filter}`, values },
  };
}

/** A row of {@link productSearch}'s page: `price` arrives from `pg` as an exact decimal string. */
export interface ProductRow extends Omit<ProductDto, 'price'> {
  price: string;
}

export const productOfRow = (row: ProductRow): ProductDto => ({
  ...row,
  price: money.from(row.price) as number,
});
