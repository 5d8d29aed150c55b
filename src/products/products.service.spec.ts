import { NotFoundException } from '@nestjs/common';
import { Repository } from 'typeorm';
import { ProductQueryDto } from './dto/product-query.dto';
import { ProductEntity } from './product.entity';
import { ProductViews } from './product-views';
import { ProductsService } from './products.service';

const entity = (fields: Partial<ProductEntity> = {}): ProductEntity =>
  Object.assign(new ProductEntity(), {
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    name: 'Cup',
    description: '',
    category: 'kitchen',
    price: 12.5,
    stock: 3,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  });

/** A query builder that records the calls a query is built with. */
function recordingBuilder(result: unknown) {
  const calls: [string, ...unknown[]][] = [];
  const builder: Record<string, jest.Mock> = {};
  for (const method of ['delete', 'where']) {
    builder[method] = jest.fn((...args: unknown[]) => {
      calls.push([method, ...args]);
      return builder;
    });
  }
  builder.returning = jest.fn(() => builder);
  builder.execute = jest.fn().mockResolvedValue(result);
  return { builder, calls };
}

const query = (fields: Partial<ProductQueryDto> = {}): ProductQueryDto =>
  Object.assign(new ProductQueryDto(), fields);

describe(ProductsService.name, () => {
  let sut: ProductsService;
  let repository: {
    createQueryBuilder: jest.Mock;
    query: jest.Mock;
    findBy: jest.Mock;
    create: jest.Mock;
    save: jest.Mock;
    manager: { transaction: jest.Mock };
  };
  let locked: { findOne: jest.Mock; merge: jest.Mock; save: jest.Mock };
  let views: { forget: jest.Mock };

  beforeEach(() => {
    locked = {
      findOne: jest.fn(),
      merge: jest.fn((target: ProductEntity, patch: object) => Object.assign(target, patch)),
      save: jest.fn((product: ProductEntity) => Promise.resolve(product)),
    };
    repository = {
      createQueryBuilder: jest.fn(),
      query: jest.fn(),
      findBy: jest.fn(),
      create: jest.fn((fields: Partial<ProductEntity>) => entity(fields)),
      save: jest.fn((product: ProductEntity) => Promise.resolve(product)),
      manager: {
        transaction: jest.fn((work: (manager: unknown) => Promise<unknown>) =>
          work({ getRepository: () => locked }),
        ),
      },
    };
    views = { forget: jest.fn().mockResolvedValue(undefined) };
    sut = new ProductsService(
      repository as unknown as Repository<ProductEntity>,
      views as unknown as ProductViews,
    );
  });

  describe('list', () => {
    const row = { ...entity(), price: '12.50' };

    it('takes the total from a first page that is not full, without counting', async () => {
      repository.query.mockResolvedValueOnce([row]);
      const page = await sut.list(query());
      expect(page).toMatchObject({ total: 1, page: 1, limit: 20, items: [{ price: 12.5 }] });
      expect(repository.query).toHaveBeenCalledTimes(1);
    });

    it('counts the matches of a full first page, and of any later page', async () => {
      repository.query.mockResolvedValueOnce([row, row]).mockResolvedValueOnce([{ total: 7 }]);
      await expect(sut.list(query({ limit: 2 }))).resolves.toMatchObject({ total: 7 });
      repository.query.mockResolvedValueOnce([]).mockResolvedValueOnce([{ total: 7 }]);
      await expect(sut.list(query({ page: 5, limit: 2 }))).resolves.toMatchObject({
        total: 7,
        items: [],
      });
      expect(repository.query).toHaveBeenCalledTimes(4);
    });
  });

  describe('findById', () => {
    it('answers the product', async () => {
      repository.findBy.mockResolvedValue([entity({ id: 'id' })]);
      await expect(sut.findById('id')).resolves.toMatchObject({ name: 'Cup', price: 12.5 });
    });

    it('answers 404 Not Found for an unknown id', async () => {
      repository.findBy.mockResolvedValue([]);
      await expect(sut.findById('missing')).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('findMany', () => {
    it('loads the products asked for together in one query, in order, null for unknown ids', async () => {
      repository.findBy.mockResolvedValue([entity({ id: 'b' }), entity({ id: 'a', name: 'Bowl' })]);
      const found = await sut.findMany(['a', 'missing', 'b']);
      expect(found.map((p) => p?.id ?? null)).toEqual(['a', null, 'b']);
      expect(found[0]).toMatchObject({ name: 'Bowl' });
      expect(repository.findBy).toHaveBeenCalledTimes(1);
    });
  });

  describe('create', () => {
    it('defaults the description to ""', async () => {
      const product = await sut.create({ name: 'Cup', category: 'kitchen', price: 1, stock: 1 });
      expect(repository.create).toHaveBeenCalledWith(expect.objectContaining({ description: '' }));
      expect(product.description).toBe('');
    });
  });

  describe('update', () => {
    it('merges the given fields into the row it locked, and answers the result', async () => {
      locked.findOne.mockResolvedValue(entity());
      const product = await sut.update('id', { price: 19.99 });
      expect(locked.findOne).toHaveBeenCalledWith({
        where: { id: 'id' },
        lock: { mode: 'pessimistic_write' },
      });
      expect(product).toMatchObject({ name: 'Cup', price: 19.99 });
    });

    it('answers 404 for an unknown id without saving', async () => {
      locked.findOne.mockResolvedValue(null);
      await expect(sut.update('missing', { price: 1 })).rejects.toBeInstanceOf(NotFoundException);
      expect(locked.save).not.toHaveBeenCalled();
    });
  });

  describe('remove', () => {
    it('deletes the row by id', async () => {
      const { builder, calls } = recordingBuilder({ raw: [{ id: 'id', category: 'kitchen' }] });
      repository.createQueryBuilder.mockReturnValue(builder);
      await sut.remove('id');
      expect(calls).toContainEqual(['where', 'id = :id', { id: 'id' }]);
    });

    it('takes the deleted product off the trending windows', async () => {
      const { builder } = recordingBuilder({ raw: [{ id: 'id', category: 'kitchen' }] });
      repository.createQueryBuilder.mockReturnValue(builder);
      await sut.remove('id');
      expect(views.forget).toHaveBeenCalledWith('id');
    });

    it('still deletes when the views cannot be removed (readers skip deleted products)', async () => {
      const { builder } = recordingBuilder({ raw: [{ id: 'id', category: 'kitchen' }] });
      repository.createQueryBuilder.mockReturnValue(builder);
      views.forget.mockRejectedValue(new Error('Connection is closed.'));
      await expect(sut.remove('id')).resolves.toBeUndefined();
    });

    it('answers 404 when no row was deleted', async () => {
      const { builder } = recordingBuilder({ raw: [] });
      repository.createQueryBuilder.mockReturnValue(builder);
      await expect(sut.remove('missing')).rejects.toBeInstanceOf(NotFoundException);
      expect(views.forget).not.toHaveBeenCalled();
    });
  });
});
