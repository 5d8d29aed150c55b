/**
 * What each field type of `--fields` becomes: its column, its TypeScript type, its validation and
 * OpenAPI description, and the values the generated e2e test sends (valid ones, and invalid ones
 * that must answer 400). The templates in `files/` lay these out; change a type here.
 */
export interface FieldType {
  /** Options of `@Column`, without `name` and `nullable`, which the generator adds. */
  column: string;
  tsType: string;
  /** Decorators of the create DTO, after `@ApiProperty`. */
  validators: string[];
  /** Options of `@ApiProperty` in the create DTO. */
  api: string;
  /** Options of `@ApiProperty` in the answer, where they differ from the create DTO's. */
  answerApi?: string;
  /** Named imports of the create DTO, by module (relative to `src/<name>/dto/`). */
  imports: Record<string, string[]>;
  /** A value to create with, another to change to (TypeScript), and what either answers as. */
  sample: string;
  changed: string;
  answered?: (value: string) => string;
  /** Values that answer 400, with what is wrong with them. */
  invalid: [value: string, why: string][];
}

const VALIDATION = '../../common/validation';

export const FIELD_TYPES = {
  string: {
    column: "type: 'varchar', length: 200",
    tsType: 'string',
    validators: ['@IsString()', '@Length(1, 200)'],
    api: "example: 'Espresso cup', minLength: 1, maxLength: 200",
    imports: { 'class-validator': ['IsString', 'Length'] },
    sample: "'Espresso cup'",
    changed: "'Flat white cup'",
    invalid: [
      ["''", 'empty'],
      ["'x'.repeat(201)", 'over 200 characters'],
      ['42', 'a number'],
    ],
  },
  text: {
    column: "type: 'varchar', length: 10_000",
    tsType: 'string',
    validators: ['@IsString()', '@MaxLength(10_000)'],
    api: "example: 'Porcelain, 80 ml', maxLength: 10_000",
    imports: { 'class-validator': ['IsString', 'MaxLength'] },
    sample: "'Porcelain, 80 ml'",
    changed: "'x'.repeat(10_000)",
    invalid: [
      ["'x'.repeat(10_001)", 'over 10,000 characters'],
      ["['a list']", 'a list'],
    ],
  },
  int: {
    column: "type: 'integer'",
    tsType: 'number',
    validators: ['@IsInt()', '@Min(-2_147_483_648)', '@Max(2_147_483_647)'],
    api: 'example: 3, minimum: -2_147_483_648, maximum: 2_147_483_647',
    imports: { 'class-validator': ['IsInt', 'Max', 'Min'] },
    sample: '3',
    changed: '-2_147_483_648',
    invalid: [
      ['1.5', 'not an integer'],
      ['2_147_483_648', 'past a 32-bit integer'],
      ["'3'", 'a string'],
    ],
  },
  decimal: {
    column: "type: 'numeric', precision: 12, scale: 2, transformer: money",
    tsType: 'number',
    validators: [
      '@IsNumber({ allowNaN: false, allowInfinity: false })',
      '@MaxDecimals(2)',
      '@Min(0)',
      '@Max(MAX_MONEY)',
    ],
    api: "example: 12.5, minimum: 0, maximum: MAX_MONEY, description: 'At most two decimals'",
    answerApi: 'example: 12.5',
    imports: {
      'class-validator': ['IsNumber', 'Max', 'Min'],
      [`${VALIDATION}/max-decimals`]: ['MaxDecimals'],
      '../../database/column-transformers': ['MAX_MONEY'],
    },
    sample: '12.5',
    changed: '9_999_999_999.99',
    invalid: [
      ['0.125', 'three decimals'],
      ['-1', 'negative'],
      ["'12.50'", 'a string'],
    ],
  },
  boolean: {
    column: "type: 'boolean'",
    tsType: 'boolean',
    validators: ['@IsBoolean()'],
    api: 'example: true',
    imports: { 'class-validator': ['IsBoolean'] },
    sample: 'true',
    changed: 'false',
    invalid: [
      ["'true'", 'a string'],
      ['1', 'a number'],
    ],
  },
  uuid: {
    column: "type: 'uuid'",
    tsType: 'string',
    validators: ['@ToCanonicalId()', '@IsUUID()'],
    api: "format: 'uuid', description: 'Any letter case; answered in lower case'",
    answerApi: "format: 'uuid'",
    imports: {
      'class-validator': ['IsUUID'],
      [`${VALIDATION}/field-transforms`]: ['ToCanonicalId'],
    },
    sample: "'6B1B2C7E-1D4F-4A8E-9C1B-2F3E4D5C6B7A'",
    changed: "'0f8fad5b-d9cb-469f-a165-70867728950e'",
    answered: (value) => value.toLowerCase(),
    invalid: [
      ["'not-a-uuid'", 'not a UUID'],
      ['42', 'a number'],
    ],
  },
  date: {
    column: "type: 'timestamptz'",
    tsType: 'Date',
    validators: ['@ToDate()', "@IsDate({ message: '$property must be an ISO-8601 date' })"],
    api: "type: String, format: 'date-time', example: '2026-01-31T09:30:00.000Z'",
    answerApi: "type: String, format: 'date-time'",
    imports: {
      'class-validator': ['IsDate'],
      [`${VALIDATION}/field-transforms`]: ['ToDate'],
    },
    sample: "'2026-01-31T09:30:00.000Z'",
    changed: "'1999-12-31T23:59:59.999Z'",
    invalid: [
      ["'31/01/2026'", 'not ISO-8601'],
      ['1767225600000', 'a number'],
    ],
  },
} satisfies Record<string, FieldType>;

export type FieldTypeName = keyof typeof FIELD_TYPES;
