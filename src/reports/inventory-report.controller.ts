import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Page } from '../common/dto/page';
import { PageQueryDto } from '../common/dto/page-query.dto';
import { PageResponse } from '../common/dto/page-response';
import { LockBusyError, LockUnavailableError } from '../lock';
import { Roles } from '../session/roles.decorator';
import { InventoryReportDto } from './dto/inventory-report.dto';
import { ReportRunDto, RunInProgressDto, StartedRunDto } from './dto/report-run.dto';
import { InventoryReportService } from './inventory-report.service';
import { ReportRunEntity } from './report-run.entity';

const toRunDto = ({ runId, fencingToken, startedAt, finishedAt, status }: ReportRunEntity) => ({
  runId,
  fencingToken,
  startedAt,
  finishedAt,
  status,
});

@ApiTags('reports')
@Roles('admin')
@Controller('reports/inventory')
export class InventoryReportController {
  constructor(private readonly reports: InventoryReportService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: StartedRunDto, description: 'This call started a run' })
  @ApiConflictResponse({ type: RunInProgressDto, description: 'A run is in progress' })
  async trigger(): Promise<StartedRunDto> {
    try {
      const { runId, startedAt, fencingToken } = await this.reports.trigger();
      return { runId, status: 'running', startedAt, fencingToken };
    } catch (error) {
      if (error instanceof LockBusyError) {
        throw new ConflictException({
          statusCode: HttpStatus.CONFLICT,
          message: 'An inventory report run is already in progress',
          error: 'Conflict',
          runningSince: error.heldSince ?? null,
        });
      }
      if (error instanceof LockUnavailableError) {
        throw new ServiceUnavailableException(
          `The inventory report cannot start now (${error.message}); try again shortly`,
        );
      }
      throw error;
    }
  }

  @Get('latest')
  @ApiOkResponse({ type: InventoryReportDto })
  @ApiNotFoundResponse({ description: 'No run has completed yet' })
  async latest(): Promise<InventoryReportDto> {
    const latest = await this.reports.latest();
    if (!latest) throw new NotFoundException('No inventory report has completed yet');
    const { runId, fencingToken, startedAt, finishedAt } = latest.run;
    const totals = latest.totals.map(({ category, products, stock, value }) => ({
      category,
      products,
      stock,
      value,
    }));
    return { runId, fencingToken, startedAt, finishedAt: finishedAt!, totals };
  }

  @Get('runs')
  @ApiOkResponse({ type: PageResponse(ReportRunDto), description: 'Newest first' })
  async runs(@Query() query: PageQueryDto): Promise<Page<ReportRunDto>> {
    const page = await this.reports.runs(query);
    return { ...page, items: page.items.map(toRunDto) };
  }
}
