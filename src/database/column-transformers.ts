import { ValueTransformer } from 'typeorm';

/** The largest amount `numeric(12,2)` holds. */
export const MAX_MONEY = 9_999_999_999.99;

/**
 * `numeric(p,2)` for amounts of money: `pg` hands it over as an exact decimal string, which is
 * answered as a JSON number, and a number is written with its two decimals spelled out, so that
 * nothing passes through a float in the database.
 */
export const money: ValueTransformer = {
  to: (value?: number | null) => (value === undefined || value === null ? value : value.toFixed(2)),
  from: (value: string | null) => (value === null ? value : Number(value)),
};

/** `bigint` arrives from `pg` as a string; for counters that stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (value?: number) => value,
  from: (value: string | null) => (value === null ? value : Number(value)),
};
