import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { Environment } from './environment';

/** Thrown when the environment is invalid; `lines` holds one message per bad variable. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly lines: string[]) {
    super(`Invalid environment:\n${lines.join('\n')}`);
  }
}

const knownKeys = new Set(Object.keys(new Environment()));
const secretKeys = new Set(['SESSION_SECRET', 'DATABASE_URL', 'REDIS_URL']);

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
