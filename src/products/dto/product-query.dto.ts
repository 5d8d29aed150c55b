import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page-query.dto';
import { MAX_PRICE } from './create-product.dto';

export const PRODUCT_SORTS = [
  'name',
  '-name',
  'price',
  '-price',
  'createdAt',
  '-createdAt',
] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export class ProductQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'kitchen' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  category?: string;

  @ApiPropertyOptional({ example: 10, description: 'Inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_PRICE)
  minPrice?: number;

  @ApiPropertyOptional({ example: 100, description: 'Inclusive' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_PRICE)
  maxPrice?: number;

  @ApiPropertyOptional({
    example: 'cup',
    description: 'Case-insensitive substring of the name; % and _ are taken literally',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ enum: PRODUCT_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort: ProductSort = '-createdAt';
}
