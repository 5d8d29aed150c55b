import './tracing/register';
import 'reflect-metadata';
import { checkEnvironment, exitOnStartupError } from './config/validate-environment';

/**
 * The service's entry point. The environment is checked before the application's modules load, which
 * takes about a second, so that a bad value stops the process at once, with its lines alone.
 */
try {
  checkEnvironment();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./serve') as typeof import('./serve')).serve().catch(exitOnStartupError);
} catch (error) {
  exitOnStartupError(error);
}
