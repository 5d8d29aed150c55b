import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintNumber, money } from '../database/column-transformers';
import { ReportRunEntity } from './report-run.entity';

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

  @Column({ type: 'numeric', precision: 24, scale: 2, transformer: money })
  value: number;
}
