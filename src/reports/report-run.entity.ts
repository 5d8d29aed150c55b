import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../database/column-transformers';

export type ReportRunStatus = 'running' | 'completed' | 'failed' | 'fenced';

/** One run of a report job, as recorded by the instance that held the job's lock. */
@Entity('report_runs')
@Index('IDX_report_runs_started_at', ['report', 'startedAt'])
@Index('IDX_report_runs_running', ['report'], { where: `"status" = 'running'` })
@Check('CHK_report_runs_status', `"status" IN ('running', 'completed', 'failed', 'fenced')`)
export class ReportRunEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'run_id' })
  runId: string;

  @Column({ type: 'varchar', length: 50 })
  report: string;

  @Column({ name: 'fencing_token', type: 'bigint', transformer: bigintNumber })
  fencingToken: number;

  @Column({ type: 'varchar', length: 16 })
  status: ReportRunStatus;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
