import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { LockBusyError } from '../lock';
import { InventoryReportJob } from './inventory-report.job';

const CRON_NAME = 'inventory-report';

/**
 * Runs the inventory report on INVENTORY_REPORT_CRON on every instance (when
 * INVENTORY_REPORT_SCHEDULE is on); the job's lock lets one of them run at a time.
 */
@Injectable()
export class InventoryReportScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InventoryReportScheduler.name);

  constructor(
    private readonly job: InventoryReportJob,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { scheduleEnabled, cron } = this.config.reports;
    if (!scheduleEnabled) return;
    const job = CronJob.from({ cronTime: cron, onTick: () => this.tick(), start: true });
    this.scheduler.addCronJob(CRON_NAME, job);
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('cron', CRON_NAME)) this.scheduler.deleteCronJob(CRON_NAME);
  }

  private async tick(): Promise<void> {
    try {
      const run = await this.job.run();
      this.logger.log(`Scheduled run ${run.runId} ended ${run.status}`);
    } catch (error) {
      if (error instanceof LockBusyError) {
        this.logger.debug('Scheduled run skipped: another run is in progress');
      } else {
        this.logger.warn(`Scheduled run not started: ${(error as Error).message}`);
      }
    }
  }
}
