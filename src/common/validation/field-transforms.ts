import { Transform } from 'class-transformer';
import { isISO8601 } from 'class-validator';
import { canonicalId, isUuidShaped } from '../ids/canonical-id';

/**
 * An ISO-8601 string becomes the `Date` it names, before validation (`@IsDate()` then accepts it);
 * anything else, a number included, is left as it is for validation to refuse.
 */
export const ToDate = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && isISO8601(value, { strict: true }) ? new Date(value) : value,
  );

/** A UUID in its one spelling, lower case, as PostgreSQL answers it (see `canonicalId`). */
export const ToCanonicalId = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (isUuidShaped(value) ? canonicalId(value) : value));
