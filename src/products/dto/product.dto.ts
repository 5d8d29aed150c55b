import { ApiProperty } from '@nestjs/swagger';
import { ProductEntity } from '../product.entity';

export class ProductDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Espresso cup' })
  name: string;

  @ApiProperty({ example: 'Porcelain, 80 ml' })
  description: string;

  @ApiProperty({ example: 'kitchen' })
  category: string;

  @ApiProperty({ example: 12.5 })
  price: number;

  @ApiProperty({ example: 40 })
  stock: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  static from(entity: ProductEntity): ProductDto {
    const { id, name, description, category, price, stock, createdAt, updatedAt } = entity;
    return { id, name, description, category, price, stock, createdAt, updatedAt };
  }
}
