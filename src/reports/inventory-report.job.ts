import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { LockService, WithLock } from '../lock';
import { InventoryReportStore } from './inventory-report.store';
import { ReportRunEntity } from './report-run.entity';

/** The lock that lets one inventory report run at a time across all instances. */
export const INVENTORY_REPORT_LOCK = 'reports:inventory';

/** One run of the inventory report, under the job's lock. */
@Injectable()
export class InventoryReportJob {
  private readonly logger = new Logger(InventoryReportJob.name);

  constructor(
    private readonly store: InventoryReportStore,
    private readonly locks: LockService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Runs the report; throws `LockBusyError` while a run is in progress anywhere. `onStarted` hears
   * of the run once it is recorded; the returned promise settles when the run has ended.
   */
  @WithLock(INVENTORY_REPORT_LOCK)
  async run(onStarted: (run: ReportRunEntity) => void = () => undefined): Promise<ReportRunEntity> {
    const { token, acquiredAt, signal } = this.locks.current()!;
    const run = await this.store.start(token, acquiredAt);
    onStarted(run);
    try {
      await sleep(this.config.reports.delayMs, undefined, { signal });
      signal.throwIfAborted();
      run.status = await this.store.finish(run, new Date());
      if (run.status === 'fenced') {
        this.logger.warn(`Run ${run.runId} (token ${token}) lost its lock; its result was refused`);
      }
    } catch (error) {
      const reason = signal.aborted ? (signal.reason as Error) : (error as Error);
      this.logger.warn(`Run ${run.runId} (token ${token}) failed: ${reason.message}`);
      await this.store.fail(run, new Date());
      run.status = 'failed';
    }
    return run;
  }
}
