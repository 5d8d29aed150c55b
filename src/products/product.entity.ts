import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  ValueTransformer,
} from 'typeorm';

/** numeric(12,2) arrives from `pg` as an exact decimal string; answer it as a JSON number. */
const money: ValueTransformer = {
  to: (value?: number) => (value === undefined ? value : value.toFixed(2)),
  from: (value: string | null) => (value === null ? value : Number(value)),
};

@Entity('products')
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
