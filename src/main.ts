import './tracing/register';
import 'reflect-metadata';
import { checkEnvironment, exitOnStartupError } from './config/validate-environment';
import { EmbeddedPostgres } from './database/embedded-postgres';

/**
 * The service's entry point. The environment is checked before the application's modules load, which
 * takes about a second, so that a bad value stops the process at once, with its lines alone; the
 * embedded database, when there is no DATABASE_URL, starts in its own thread meanwhile.
 */
try {
  const environment = checkEnvironment();
  if (!environment.DATABASE_URL) {
    EmbeddedPostgres.startEarly(environment.DATA_DIR, environment.DATABASE_POOL_SIZE);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./serve') as typeof import('./serve')).serve().catch(exitOnStartupError);
} catch (error) {
  exitOnStartupError(error);
}
