const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a string in the 8-4-4-4-12 hex form of a UUID, in any letter case. */
export const isUuidShaped = (value: unknown): value is string =>
  typeof value === 'string' && UUID_SHAPE.test(value);

/**
 * The one spelling of an id: PostgreSQL reads a UUID in any letter case and answers it in lower case,
 * so services, cache keys and answers all use lower case.
 */
export const canonicalId = (id: string): string => id.toLowerCase();
