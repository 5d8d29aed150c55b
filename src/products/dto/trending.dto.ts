import { ApiProperty } from '@nestjs/swagger';
import { TRENDING_WINDOW_NAMES, TrendingWindow } from '../product-views';
import { ProductDto } from './product.dto';

export class TrendingItemDto {
  @ApiProperty({ type: ProductDto })
  product: ProductDto;

  @ApiProperty({ example: 42, description: 'Views in the window' })
  views: number;
}

export class TrendingDto {
  @ApiProperty({ enum: TRENDING_WINDOW_NAMES, example: '24h' })
  window: TrendingWindow;

  @ApiProperty({ type: [TrendingItemDto], description: 'Most viewed first, then by id' })
  items: TrendingItemDto[];
}
