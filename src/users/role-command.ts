import { NotFoundException } from '@nestjs/common';
import { UserFacingError } from '../common/user-facing-error';
import { Role } from './role';
import { UsersService } from './users.service';

/** `user:role`: sets the role through `UsersService` (which evicts the cached user); one line back. */
export async function setRoleCommand(
  users: UsersService,
  email: string,
  role: Role,
): Promise<string> {
  try {
    const user = await users.setRole(email, role);
    return `${user.email} is now ${user.role}`;
  } catch (error) {
    if (error instanceof NotFoundException) {
      throw new UserFacingError(`No user has the email ${email}`);
    }
    throw error;
  }
}
