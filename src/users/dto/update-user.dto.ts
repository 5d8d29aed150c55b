import { PartialType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto';

/** Omitted fields stay as they are; `null` is no value for any of them (400). */
export class UpdateUserDto extends PartialType(CreateUserDto, {
  skipNullProperties: false,
}) {}
