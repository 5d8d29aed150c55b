import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsString, Length, ValidateIf } from 'class-validator';
import { CreateUserDto } from './create-user.dto';

/** Omitted fields stay as they are; `null` is no value for any of them (400). */
export class UpdateUserDto extends PartialType(CreateUserDto, {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    description: 'The password the account has now; required to change `email` or `password`',
  })
  @ValidateIf((_dto: UpdateUserDto, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, 128)
  currentPassword?: string;
}
