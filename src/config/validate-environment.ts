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
const secretKeys = new Set([
  'SESSION_SECRET',
  'DATABASE_URL',
  'REDIS_URL',
  'LOCK_REDIS_NODES',
  'CACHE_REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
]);

/** `CACHE_TTL_<NAME>_S`: the TTL in seconds of the cache called `<name>`, whichever module declares it. */
export const CACHE_TTL_VARIABLE = /^CACHE_TTL_([A-Z0-9_]+)_S$/;

/** Keeps the known variables (an empty value counts as unset), applies defaults and validates. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => knownKeys.has(key) && value !== ''),
  );
  const env = plainToInstance(Environment, known, { exposeDefaultValues: true });
  const lines = validateSync(env).map(describe);
  const cacheTtlOverrides: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = CACHE_TTL_VARIABLE.exec(key)?.[1];
    if (!name || value === '' || value === undefined) continue;
    const text = typeof value === 'string' ? value.trim() : '';
    if (/^\d+$/.test(text) && Number(text) > 0) cacheTtlOverrides[name] = Number(text);
    else lines.push(`${key}: must be a positive integer (got ${JSON.stringify(value)})`);
  }
  if (lines.length > 0) throw new InvalidEnvironmentError(lines);
  env.cacheTtlOverrides = cacheTtlOverrides;
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
  return validateEnvironment({ ...readEnvFile(), ...process.env, ...overrides });
}

/** The variables `.env` in the working directory sets, if there is one. */
export function readEnvFile(): Record<string, string | undefined> {
  const file = resolve(process.cwd(), '.env');
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
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
