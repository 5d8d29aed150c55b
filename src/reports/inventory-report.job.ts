import { Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { LockService, WithLock } from '../lock';
import { InventoryReportStore } from './inventory-report.store';
import { ReportRunEntity } from './report-run.entity';

const tracer = trace.getTracer('nest-cache-starter.reports');

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
  run(onStarted: (run: ReportRunEntity) => void = () => undefined): Promise<ReportRunEntity> {
    const { token } = this.locks.current()!;
    // A trace of its own, linked to the request that started the run (a scheduled run has none).
    const starter = trace.getActiveSpan()?.spanContext();
    return tracer.startActiveSpan(
      'inventory-report run',
      {
        root: true,
        links: starter ? [{ context: starter }] : [],
        attributes: { 'lock.name': INVENTORY_REPORT_LOCK, 'lock.fencing_token': token },
      },
      async (span) => {
        try {
          const run = await this.runLocked(onStarted);
          span.setAttributes({ 'report.run_id': run.runId, 'report.status': run.status });
          return run;
        } finally {
          span.end();
        }
      },
    );
  }

  private async runLocked(onStarted: (run: ReportRunEntity) => void): Promise<ReportRunEntity> {
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
