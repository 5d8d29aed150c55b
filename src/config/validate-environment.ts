import { plainToInstance } from 'class-transformer';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { validateSync, ValidationError } from 'class-validator';
import { UserFacingError } from '../common/user-facing-error';
import { Environment } from './environment';

/** Thrown when the environment is invalid; `lines` holds one message per bad variable. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly lines: string[]) {
    super(`Invalid environment:\n${lines.join('\n')}`);
  }
}

const knownKeys = new Set(Object.keys(new Environment()));
const secretKeys = new Set(['SESSION_SECRET', 'DATABASE_URL', 'REDIS_URL', 'LOCK_REDIS_NODES']);

/** Keeps the known variables (an empty value counts as unset), applies defaults and validates. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => knownKeys.has(key) && value !== ''),
  );
  const env = plainToInstance(Environment, known, { exposeDefaultValues: true });
  const errors = validateSync(env);
  if (errors.length > 0) throw new InvalidEnvironmentError(errors.map(describe));
  return env;
}

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  const got = secretKeys.has(error.property) ? '' : ` (got ${JSON.stringify(error.value)})`;
  return `${error.property}: ${reasons}${got}`;
}

/**
 * Validates `.env`, the process environment and `overrides` (later ones win, as in
 * {@link AppConfigModule}) before Nest starts, so that a bad value ends start-up with its lines
 * alone rather than inside Nest's module-initialisation error log.
 */
export function checkEnvironment(overrides: Record<string, string> = {}): Environment {
  const file = resolve(process.cwd(), '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return validateEnvironment({ ...fromFile, ...process.env, ...overrides });
}

/**
 * Ends a command that failed: one line per bad variable for a bad environment, the message alone
 * for a {@link UserFacingError}.
 */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof InvalidEnvironmentError) {
    for (const line of error.lines) console.error(line);
  } else if (error instanceof UserFacingError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
}
