import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Page } from '../common/dto/page';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { InventoryTotalEntity } from './inventory-total.entity';
import { ReportRunEntity, ReportRunStatus } from './report-run.entity';

const REPORT = 'inventory';

/** The inventory report's runs and results in PostgreSQL, written under the fencing check. */
@Injectable()
export class InventoryReportStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(ReportRunEntity) private readonly runs: Repository<ReportRunEntity>,
    @InjectRepository(InventoryTotalEntity)
    private readonly totals: Repository<InventoryTotalEntity>,
  ) {}

  /**
   * Records the run that just took the lock with `token`. Runs still `running` under an older token
   * belong to holders that died or lost the lock; they are closed as `failed` when this one starts.
   */
  start(token: number, startedAt: Date): Promise<ReportRunEntity> {
    return this.db.transaction(async (tx) => {
      await tx
        .createQueryBuilder()
        .update(ReportRunEntity)
        .set({ status: 'failed', finishedAt: startedAt })
        .where(`report = :report AND status = 'running' AND fencing_token < :token`, {
          report: REPORT,
          token,
        })
        .execute();
      return tx.save(
        tx.create(ReportRunEntity, {
          report: REPORT,
          fencingToken: token,
          status: 'running',
          startedAt,
          finishedAt: null,
        }),
      );
    });
  }

  /**
   * Computes and stores the report for `run`, unless a run with a newer fencing token has already
   * stored its result: then nothing is written and the run is marked `fenced`. One transaction.
   */
  finish(run: ReportRunEntity, finishedAt: Date): Promise<ReportRunStatus> {
    return this.db.transaction(async (tx) => {
      // TypeORM answers an UPDATE on PostgreSQL as [rows, rowCount].
      const [, fenceMoved] = await tx.query<[unknown, number]>(
        `UPDATE report_fences SET token = $2 WHERE report = $1 AND token < $2`,
        [REPORT, run.fencingToken],
      );
      const status: ReportRunStatus = fenceMoved === 1 ? 'completed' : 'fenced';
      if (status === 'completed') {
        await tx.query(
          `INSERT INTO inventory_report_totals (run_id, category, products, stock, value)
           SELECT $1, category, count(*), sum(stock), sum(price * stock)
           FROM products GROUP BY category`,
          [run.runId],
        );
      }
      await tx.update(ReportRunEntity, { runId: run.runId }, { status, finishedAt });
      return status;
    });
  }

  /** Closes a run that stopped before writing its result. */
  async fail(run: ReportRunEntity, finishedAt: Date): Promise<void> {
    await this.runs.update(
      { runId: run.runId, status: 'running' },
      { status: 'failed', finishedAt },
    );
  }

  /** The accepted result with the newest fencing token, with its totals by category. */
  async latest(): Promise<{ run: ReportRunEntity; totals: InventoryTotalEntity[] } | null> {
    const run = await this.runs.findOne({
      where: { report: REPORT, status: 'completed' },
      order: { fencingToken: 'DESC' },
    });
    if (!run) return null;
    const totals = await this.totals.find({
      where: { runId: run.runId },
      order: { category: 'ASC' },
    });
    return { run, totals };
  }

  async list({ page, limit }: PageQueryDto): Promise<Page<ReportRunEntity>> {
    const [items, total] = await this.runs.findAndCount({
      where: { report: REPORT },
      order: { startedAt: 'DESC', fencingToken: 'DESC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items, total, page, limit };
  }
}
