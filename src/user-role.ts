import 'reflect-metadata';
import { NotFoundException } from '@nestjs/common';
import { UserFacingError } from './common/user-facing-error';
import { exitOnStartupError } from './config/validate-environment';
import { runCommand } from './run-command';
import { isRole, ROLES } from './users/role';
import { UsersService } from './users/users.service';

/**
 * `npm run user:role -- <email> <admin|member>`: sets a user's role through `UsersService`, which
 * evicts the cached user, so the change holds from that user's next request on every instance.
 */
function main(): void {
  const [email, role, ...rest] = process.argv.slice(2);
  if (!email || role === undefined || rest.length > 0) {
    throw new UserFacingError(`Usage: npm run user:role -- <email> <${ROLES.join('|')}>`);
  }
  if (!isRole(role)) {
    throw new UserFacingError(`Unknown role "${role}": use one of ${ROLES.join(', ')}`);
  }
  runCommand(async (app) => {
    try {
      const user = await app.get(UsersService).setRole(email, role);
      return `${user.email} is now ${user.role}`;
    } catch (error) {
      if (error instanceof NotFoundException) {
        throw new UserFacingError(`No user has the email ${email}`);
      }
      throw error;
    }
  });
}

try {
  main();
} catch (error) {
  exitOnStartupError(error);
}
