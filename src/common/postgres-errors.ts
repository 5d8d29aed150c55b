import { QueryFailedError } from 'typeorm';

/** PostgreSQL's SQLSTATE for a unique constraint violation. */
const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === UNIQUE_VIOLATION
  );
}

const NOT_NULL_VIOLATION = '23502';
const CHECK_VIOLATION = '23514';
/** SQLSTATE class 22, data exception: a NUL character, a value out of range or too long, … */
const DATA_EXCEPTION_CLASS = '22';

/** True when PostgreSQL refused a value the request supplied, rather than failing itself. */
export function isInvalidInput(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string } | undefined)?.code ?? '';
  return (
    code.startsWith(DATA_EXCEPTION_CLASS) || code === NOT_NULL_VIOLATION || code === CHECK_VIOLATION
  );
}
