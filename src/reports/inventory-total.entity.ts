import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, ValueTransformer } from 'typeorm';
import { bigintNumber, ReportRunEntity } from './report-run.entity';

/** numeric sums arrive from `pg` as exact decimal strings; answer them as JSON numbers. */
const decimalNumber: ValueTransformer = {
  to: (value?: number) => value,
  from: (value: string) => Number(value),
};

/** One category's line of an inventory report run. */
@Entity('inventory_report_totals')
export class InventoryTotalEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId: string;

  @ManyToOne(() => ReportRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_inventory_report_totals_run' })
  run?: ReportRunEntity;

  @PrimaryColumn({ type: 'varchar', length: 50 })
  category: string;

  @Column({ type: 'integer' })
  products: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  stock: number;

  @Column({ type: 'numeric', precision: 24, scale: 2, transformer: decimalNumber })
  value: number;
}
