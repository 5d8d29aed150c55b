import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { money } from '../database/column-transformers';

@Entity('products')
@Index('IDX_products_category', ['category'])
@Index('IDX_products_price', ['price'])
@Index('IDX_products_created_at', ['createdAt'])
@Index('IDX_products_name', ['name'])
// A trigram index on lower(name) for `q`: an expression index, kept by the migration alone.
@Index('IDX_products_name_trgm', { synchronize: false })
@Check('CHK_products_price', `"price" >= 0`)
@Check('CHK_products_stock', `"stock" >= 0`)
export class ProductEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 2000, default: '' })
  description: string;

  @Column({ type: 'varchar', length: 50 })
  category: string;

  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: money })
  price: number;

  @Column({ type: 'integer' })
  stock: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
