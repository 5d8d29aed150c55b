import { ApiProperty } from '@nestjs/swagger';

export class InventoryTotalDto {
  @ApiProperty()
  category: string;

  @ApiProperty({ description: 'Number of products in the category' })
  products: number;

  @ApiProperty({ description: 'Total stock of the category' })
  stock: number;

  @ApiProperty({ description: 'Sum of price × stock, exact to the cent', example: 1234.5 })
  value: number;
}

export class InventoryReportDto {
  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ example: 42 })
  fencingToken: number;

  @ApiProperty()
  startedAt: Date;

  @ApiProperty()
  finishedAt: Date;

  @ApiProperty({ type: InventoryTotalDto, isArray: true })
  totals: InventoryTotalDto[];
}
