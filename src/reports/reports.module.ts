import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LockModule } from '../lock';
import { InventoryReportController } from './inventory-report.controller';
import { InventoryReportJob } from './inventory-report.job';
import { InventoryReportScheduler } from './inventory-report.scheduler';
import { InventoryReportService } from './inventory-report.service';
import { InventoryReportStore } from './inventory-report.store';
import { InventoryTotalEntity } from './inventory-total.entity';
import { ReportRunEntity } from './report-run.entity';

/** The inventory report: a job under a distributed lock, on demand and on a schedule. */
@Module({
  imports: [TypeOrmModule.forFeature([ReportRunEntity, InventoryTotalEntity]), LockModule],
  controllers: [InventoryReportController],
  providers: [
    InventoryReportStore,
    InventoryReportJob,
    InventoryReportService,
    InventoryReportScheduler,
  ],
})
export class ReportsModule {}
