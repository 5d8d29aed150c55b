import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MaxDecimals } from '../../common/validation/max-decimals';

/** numeric(12,2) holds up to 9,999,999,999.99. */
export const MAX_PRICE = 9_999_999_999.99;
export const MAX_STOCK = 2_147_483_647;

export class CreateProductDto {
  @ApiProperty({ example: 'Espresso cup', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'Porcelain, 80 ml', maxLength: 2000, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({ example: 'kitchen', minLength: 1, maxLength: 50 })
  @IsString()
  @Length(1, 50)
  category: string;

  @ApiProperty({
    example: 12.5,
    minimum: 0,
    maximum: MAX_PRICE,
    description: 'At most two decimals',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimals(2)
  @Min(0)
  @Max(MAX_PRICE)
  price: number;

  @ApiProperty({ example: 40, minimum: 0, maximum: MAX_STOCK })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock: number;
}
