import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page } from '../common/dto/page';
import { CreateProductDto } from './dto/create-product.dto';
import { ProductDto } from './dto/product.dto';
import { ProductQueryDto } from './dto/product-query.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductEntity } from './product.entity';

const SORT_COLUMNS = {
  name: 'product.name',
  price: 'product.price',
  createdAt: 'product.createdAt',
};

/** `%`, `_` and the escape character itself are literal in a `q` search. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
  ) {}

  async list(query: ProductQueryDto): Promise<Page<ProductDto>> {
    const { category, minPrice, maxPrice, q, sort, page, limit } = query;
    const builder = this.products.createQueryBuilder('product');
    if (category !== undefined) builder.andWhere('product.category = :category', { category });
    if (minPrice !== undefined) builder.andWhere('product.price >= :minPrice', { minPrice });
    if (maxPrice !== undefined) builder.andWhere('product.price <= :maxPrice', { maxPrice });
    if (q !== undefined) {
      builder.andWhere('lower(product.name) LIKE :pattern', {
        pattern: `%${escapeLike(q.toLowerCase())}%`,
      });
    }
    const descending = sort.startsWith('-');
    const column = SORT_COLUMNS[sort.replace(/^-/, '') as keyof typeof SORT_COLUMNS];
    const [rows, total] = await builder
      .orderBy(column, descending ? 'DESC' : 'ASC')
      .addOrderBy('product.id', 'ASC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { items: rows.map((row) => ProductDto.from(row)), total, page, limit };
  }

  async findById(id: string): Promise<ProductDto> {
    return ProductDto.from(await this.load(id));
  }

  async create(dto: CreateProductDto): Promise<ProductDto> {
    const entity = this.products.create({ ...dto, description: dto.description ?? '' });
    return ProductDto.from(await this.products.save(entity));
  }

  async update(id: string, dto: UpdateProductDto): Promise<ProductDto> {
    const entity = await this.load(id);
    this.products.merge(entity, dto);
    return ProductDto.from(await this.products.save(entity));
  }

  async remove(id: string): Promise<void> {
    const { affected } = await this.products.delete({ id });
    if (!affected) throw new NotFoundException(`Product ${id} not found`);
  }

  private async load(id: string): Promise<ProductEntity> {
    const entity = await this.products.findOneBy({ id });
    if (!entity) throw new NotFoundException(`Product ${id} not found`);
    return entity;
  }
}
