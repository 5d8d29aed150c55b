import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Page } from './page';

/** An OpenAPI schema for `Page<T>` of a given item class. */
export function PageResponse<T>(item: Type<T>): Type<Page<T>> {
  class PageOf implements Page<T> {
    @ApiProperty({ type: item, isArray: true })
    items: T[];

    @ApiProperty({ example: 42 })
    total: number;

    @ApiProperty({ example: 1 })
    page: number;

    @ApiProperty({ example: 20 })
    limit: number;
  }
  Object.defineProperty(PageOf, 'name', { value: `${item.name}Page` });
  return PageOf;
}
