import { ApiProperty } from '@nestjs/swagger';
import type { ReportRunStatus } from '../report-run.entity';

export class ReportRunDto {
  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ description: 'Strictly increases from run to run', example: 42 })
  fencingToken: number;

  @ApiProperty()
  startedAt: Date;

  @ApiProperty({ type: Date, nullable: true })
  finishedAt: Date | null;

  @ApiProperty({ enum: ['running', 'completed', 'failed', 'fenced'] })
  status: ReportRunStatus;
}

export class StartedRunDto {
  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ enum: ['running'] })
  status: 'running';

  @ApiProperty()
  startedAt: Date;

  @ApiProperty({ example: 42 })
  fencingToken: number;
}

export class RunInProgressDto {
  @ApiProperty({ example: 409 })
  statusCode: number;

  @ApiProperty()
  message: string;

  @ApiProperty({ type: Date, nullable: true, description: 'When the run in progress started' })
  runningSince: Date | null;
}
