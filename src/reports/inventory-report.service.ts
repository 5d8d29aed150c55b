import { Injectable, Logger } from '@nestjs/common';
import { Page } from '../common/dto/page';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { InventoryReportJob } from './inventory-report.job';
import { InventoryReportStore } from './inventory-report.store';
import { InventoryTotalEntity } from './inventory-total.entity';
import { ReportRunEntity } from './report-run.entity';

@Injectable()
export class InventoryReportService {
  private readonly logger = new Logger(InventoryReportService.name);

  constructor(
    private readonly job: InventoryReportJob,
    private readonly store: InventoryReportStore,
  ) {}

  /**
   * Starts a run and answers as soon as it is recorded; the run goes on in the background. Throws
   * `LockBusyError` while a run is in progress on any instance.
   */
  trigger(): Promise<ReportRunEntity> {
    return new Promise((resolve, reject) => {
      let started = false;
      const onStarted = (run: ReportRunEntity): void => {
        started = true;
        resolve(run);
      };
      this.job.run(onStarted).catch((error: Error) => {
        if (!started) return reject(error);
        // Once the run has started, its caller has had its answer; a failure only reaches the log.
        this.logger.error(`Inventory report run failed: ${error.message}`);
      });
    });
  }

  latest(): Promise<{ run: ReportRunEntity; totals: InventoryTotalEntity[] } | null> {
    return this.store.latest();
  }

  runs(query: PageQueryDto): Promise<Page<ReportRunEntity>> {
    return this.store.list(query);
  }
}
