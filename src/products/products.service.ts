import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { In, Repository } from 'typeorm';
import { CacheEvict, Cacheable } from '../cache';
import { Page } from '../common/dto/page';
import { CreateProductDto } from './dto/create-product.dto';
import { ProductDto } from './dto/product.dto';
import { ProductQueryDto } from './dto/product-query.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductEntity } from './product.entity';
import { PRODUCT_TRENDING, ProductViews } from './product-views';
import { productOfRow, ProductRow, productSearch } from './product-search';

const PRODUCT = 'product';
const PRODUCT_LIST = 'product_list';

/**
 * A cached list is tagged with the category it filters on, or `all` when it takes every category.
 * A product written in category c may enter or leave exactly the lists tagged `category:c` or `all`
 * (filtered, sorted and paged alike), so those are the ones its writes invalidate; lists of other
 * categories stay cached.
 */
const listTag = (category?: string): string =>
  category === undefined ? 'all' : `category:${category}`;
const listsHolding = (...categories: string[]): string[] => ['all', ...categories.map(listTag)];

/** The state of a product before and after a write, for the invalidations declared on the write. */
interface ProductChange {
  before: ProductDto;
  after: ProductDto;
}

type DeletedProduct = Pick<ProductDto, 'id' | 'category'>;

@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);
  /**
   * Rows by id: the loads asked for in one tick (the misses of a trending answer's join) share one
   * query. Not memoized: the product cache is the cache.
   */
  private readonly rows = new DataLoader<string, ProductEntity | null>(
    async (ids) => {
      const found = await this.products.findBy({ id: In([...ids]) });
      const byId = new Map(found.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: false },
  );

  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    private readonly views: ProductViews,
  ) {}

  /** Cached per full query (filters, sort and page). */
  @Cacheable({
    name: PRODUCT_LIST,
    ttl: 300,
    tags: (_page: Page<ProductDto>, query: ProductQueryDto) => [listTag(query.category)],
  })
  async list(query: ProductQueryDto): Promise<Page<ProductDto>> {
    const { page, limit } = query;
    const search = productSearch(query);
    const rows: ProductRow[] = await this.products.query(search.page.text, search.page.values);
    // A first page that is not full holds every match: no count needed.
    const total =
      page === 1 && rows.length < limit
        ? rows.length
        : (
            await this.products.query<{ total: number }[]>(search.count.text, search.count.values)
          )[0].total;
    return { items: rows.map(productOfRow), total, page, limit };
  }

  async findById(id: string): Promise<ProductDto> {
    const product = await this.find(id);
    if (!product) throw new NotFoundException(`Product ${id} not found`);
    return product;
  }

  /** Cached, unknown ids too (briefly): a stream of lookups of a missing id does not reach the database. */
  @Cacheable({
    name: PRODUCT,
    key: (id: string) => id,
    ttl: 86_400,
    cacheNull: true,
  })
  async find(id: string): Promise<ProductDto | null> {
    const entity = await this.rows.load(id);
    return entity && ProductDto.from(entity);
  }

  /**
   * The products of `ids` from the product cache, in order, `null` where there is none: the cache
   * reads go out together, and the misses answered in the same tick are loaded in one query.
   */
  findMany(ids: string[]): Promise<(ProductDto | null)[]> {
    return Promise.all(ids.map((id) => this.find(id)));
  }

  @CacheEvict({ name: PRODUCT, key: (created: ProductDto) => created.id })
  @CacheEvict({ name: PRODUCT_LIST, tags: (created: ProductDto) => listsHolding(created.category) })
  async create(dto: CreateProductDto): Promise<ProductDto> {
    const entity = this.products.create({ ...dto, description: dto.description ?? '' });
    return ProductDto.from(await this.products.save(entity));
  }

  async update(id: string, dto: UpdateProductDto): Promise<ProductDto> {
    return (await this.change(id, dto)).after;
  }

  async remove(id: string): Promise<void> {
    await this.delete(id);
  }

  /** Leaves every trending window; if Redis cannot be reached, readers still skip the deleted id. */
  private async forgetViews(id: string): Promise<void> {
    try {
      await this.views.forget(id);
    } catch (error) {
      this.logger.warn(
        `Views of deleted product ${id} stay ranked until they expire: ${String(error)}`,
      );
    }
  }

  /**
   * Updates under a row lock, so that `before` is the state this update replaced even when updates
   * race: a product moving between categories invalidates the lists of both.
   */
  @CacheEvict({ name: PRODUCT, key: (change: ProductChange) => change.after.id })
  @CacheEvict({ name: PRODUCT_TRENDING, allEntries: true })
  @CacheEvict({
    name: PRODUCT_LIST,
    tags: ({ before, after }: ProductChange) => listsHolding(before.category, after.category),
  })
  private change(id: string, dto: UpdateProductDto): Promise<ProductChange> {
    return this.products.manager.transaction(async (manager) => {
      const products = manager.getRepository(ProductEntity);
      const entity = await products.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`Product ${id} not found`);
      const before = ProductDto.from(entity);
      products.merge(entity, dto);
      return { before, after: ProductDto.from(await products.save(entity)) };
    });
  }

  @CacheEvict({ name: PRODUCT, key: (deleted: DeletedProduct) => deleted.id })
  @CacheEvict({ name: PRODUCT_TRENDING, allEntries: true })
  @CacheEvict({
    name: PRODUCT_LIST,
    tags: (deleted: DeletedProduct) => listsHolding(deleted.category),
  })
  private async delete(id: string): Promise<DeletedProduct> {
    const result = await this.products
      .createQueryBuilder()
      .delete()
      .where('id = :id', { id })
      .returning(['id', 'category'])
      .execute();
    const [deleted] = result.raw as DeletedProduct[];
    if (!deleted) throw new NotFoundException(`Product ${id} not found`);
    await this.forgetViews(id);
    return deleted;
  }
}
