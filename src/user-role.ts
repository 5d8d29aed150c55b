import 'reflect-metadata';
import { UserFacingError } from './common/user-facing-error';
import { checkEnvironment, exitOnStartupError } from './config/validate-environment';
import { DataDirInUseError, DataDirLock } from './database/data-dir-lock';
import { sendRoleCommand } from './embedded-commands';
import { runCommand } from './run-command';
import { isRole, ROLES } from './users/role';
import { setRoleCommand } from './users/role-command';
import { UsersService } from './users/users.service';

/**
 * `npm run user:role -- <email> <admin|member>`: sets a user's role through `UsersService`, which
 * evicts the cached user, so the change holds from that user's next request on every instance. In
 * the embedded mode, while a server holds the data folder, that server makes the change.
 */
function main(): void {
  const [email, role, ...rest] = process.argv.slice(2);
  if (!email || role === undefined || rest.length > 0) {
    throw new UserFacingError(`Usage: npm run user:role -- <email> <${ROLES.join('|')}>`);
  }
  if (!isRole(role)) {
    throw new UserFacingError(`Unknown role "${role}": use one of ${ROLES.join(', ')}`);
  }
  const environment = checkEnvironment();
  if (!environment.DATABASE_URL && isServed(environment.DATA_DIR)) {
    sendRoleCommand(environment.DATA_DIR, email, role).then((line) => {
      console.log(line);
      process.exit(0);
    }, exitOnStartupError);
    return;
  }
  runCommand((app) => setRoleCommand(app.get(UsersService), email, role));
}

function isServed(dataDir: string): boolean {
  try {
    DataDirLock.assertFree(dataDir);
    return false;
  } catch (error) {
    if (error instanceof DataDirInUseError) return true;
    throw error;
  }
}

try {
  main();
} catch (error) {
  exitOnStartupError(error);
}
