import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES } from '../role';
import { UserEntity } from '../user.entity';

/** A user as answered and cached: never a password or its hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: ROLES, example: 'member' })
  role: Role;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  static from(entity: UserEntity): UserDto {
    const { id, email, name, role, createdAt, updatedAt } = entity;
    return { id, email, name, role, createdAt, updatedAt };
  }
}
