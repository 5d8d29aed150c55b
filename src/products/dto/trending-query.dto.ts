import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TRENDING_WINDOW_NAMES, TrendingWindow } from '../product-views';

export const MAX_TRENDING_LIMIT = 50;

export class TrendingQueryDto {
  @ApiPropertyOptional({ enum: TRENDING_WINDOW_NAMES, default: '24h' })
  @IsOptional()
  @IsIn(TRENDING_WINDOW_NAMES)
  window: TrendingWindow = '24h';

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TRENDING_LIMIT, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TRENDING_LIMIT)
  limit: number = 10;
}
