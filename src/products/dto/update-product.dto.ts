import { PartialType } from '@nestjs/swagger';
import { CreateProductDto } from './create-product.dto';

/** Omitted fields stay as they are; `null` is no value for any of them (400). */
export class UpdateProductDto extends PartialType(CreateProductDto, {
  skipNullProperties: false,
}) {}
