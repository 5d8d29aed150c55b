import { strings } from '@angular-devkit/core';
import { Field, ResourceSpec } from './resource-spec';

/** A field as the templates lay it out: every fragment ready to print. */
export interface TemplateField extends Field {
  entityType: string;
  columnOptions: string;
  /** `@ApiProperty(…)` or `@ApiPropertyOptional(…)` of the create DTO. */
  apiDecorator: string;
  validators: string[];
  answerApi: string;
  answerType: string;
  /** Its type in a JSON answer (dates are strings there). */
  jsonType: string;
  sample: string;
  sampleAnswer: string;
  changed: string;
  changedAnswer: string;
  invalid: [value: string, why: string][];
}

/** Everything the templates in `files/` refer to. */
export function templateValues(spec: ResourceSpec) {
  const fields = spec.fields.map(templateField);
  const owner = spec.access === 'owner';
  const words = (name: string) => name.replace(/-/g, ' ');
  const dtoImports = new Map<string, Set<string>>();
  for (const field of fields) {
    for (const [from, names] of Object.entries(field.definition.imports)) {
      const set = dtoImports.get(from) ?? new Set();
      names.forEach((name) => set.add(name));
      if (field.optional && from === 'class-validator') set.add('IsOptional');
      dtoImports.set(from, set);
    }
  }
  const entityImports = [
    'Column',
    'CreateDateColumn',
    'Entity',
    'Index',
    'PrimaryGeneratedColumn',
    'UpdateDateColumn',
    ...(fields.some((field) => field.type === 'decimal') ? ['Check'] : []),
    ...(owner ? ['JoinColumn', 'ManyToOne'] : []),
  ].sort();
  return {
    ...strings,
    ...spec,
    fields,
    owner,
    Plural: strings.classify(spec.name),
    Singular: strings.classify(spec.singular),
    plural: strings.camelize(spec.name),
    singularName: strings.camelize(spec.singular),
    CONSTANT: strings.underscore(spec.singular).toUpperCase(),
    cacheName: strings.underscore(spec.singular),
    human: words(spec.singular),
    aHuman: `${/^[aeiou]/.test(spec.singular) ? 'an' : 'a'} ${words(spec.singular)}`,
    Human: strings.capitalize(words(spec.singular)),
    humans: words(spec.name),
    Humans: strings.capitalize(words(spec.name)),
    entityImports: entityImports.join(', '),
    usesMoney: fields.some((field) => field.type === 'decimal'),
    anyOptional: fields.some((field) => field.optional),
    createDtoImports: [...dtoImports]
      .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
      .map(([from, names]) => ({ from, names: [...names].sort().join(', ') })),
  };
}

/** Packages first, then relative paths, as the project orders its imports. */
const order = (from: string): number => (from.startsWith('.') ? 1 : 0);

function templateField(field: Field): TemplateField {
  const { definition, optional, column, name } = field;
  const nullable = optional ? ' | null' : '';
  const columnName = column === name ? '' : `name: '${column}', `;
  const answered = definition.answered ?? ((value: string) => value);
  return {
    ...field,
    entityType: `${definition.tsType}${nullable}`,
    columnOptions: `{ ${columnName}${definition.column}${optional ? ', nullable: true' : ''} }`,
    apiDecorator: optional
      ? `@ApiPropertyOptional({ ${definition.api}, nullable: true })`
      : `@ApiProperty({ ${definition.api} })`,
    validators: [...(optional ? ['@IsOptional()'] : []), ...definition.validators],
    answerApi: `{ ${definition.answerApi ?? definition.api}${optional ? ', nullable: true' : ''} }`,
    answerType: `${definition.tsType}${nullable}`,
    jsonType: `${definition.tsType === 'Date' ? 'string' : definition.tsType}${nullable}`,
    sample: definition.sample,
    sampleAnswer: answered(definition.sample),
    changed: definition.changed,
    changedAnswer: answered(definition.changed),
    invalid: optional ? definition.invalid : [...definition.invalid, ['null', 'null']],
  };
}
