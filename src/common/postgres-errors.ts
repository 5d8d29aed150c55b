import { QueryFailedError } from 'typeorm';

/** PostgreSQL's SQLSTATE for a unique constraint violation. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** A row other rows refer to through `ON DELETE/UPDATE RESTRICT`. */
const RESTRICT_VIOLATION = '23001';

const CONFLICTS = new Map([
  [UNIQUE_VIOLATION, 'A value that must be unique is already taken'],
  [
    FOREIGN_KEY_VIOLATION,
    'The change conflicts with stored data: it refers to a record that does not exist, ' +
      'or other records still refer to this one',
  ],
  [RESTRICT_VIOLATION, 'Other records still refer to this one'],
]);

function sqlState(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return (error.driverError as { code?: string } | undefined)?.code;
}

export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === UNIQUE_VIOLATION;
}

/**
 * What a write that conflicts with stored data (a taken unique value, a reference to a missing row or
 * from other rows) did wrong, said without table or column names; `undefined` for other errors.
 */
export function conflictOf(error: unknown): string | undefined {
  return CONFLICTS.get(sqlState(error) ?? '');
}

const NOT_NULL_VIOLATION = '23502';
const CHECK_VIOLATION = '23514';
/** SQLSTATE class 22, data exception: a NUL character, a value out of range or too long, … */
const DATA_EXCEPTION_CLASS = '22';

/** True when PostgreSQL refused a value the request supplied, rather than failing itself. */
export function isInvalidInput(error: unknown): boolean {
  const code = sqlState(error) ?? '';
  return (
    code.startsWith(DATA_EXCEPTION_CLASS) || code === NOT_NULL_VIOLATION || code === CHECK_VIOLATION
  );
}
