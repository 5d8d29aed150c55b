import { strings } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';
import pluralize from 'pluralize';
import * as ts from 'typescript';
import { FIELD_TYPES, FieldType, FieldTypeName } from './field-types';

export const ACCESS_MODES = ['owner', 'catalog'] as const;
export type Access = (typeof ACCESS_MODES)[number];

/** Columns every generated resource has (and `ownerId` with `owner` access). */
const ADDED_COLUMNS = ['id', 'ownerId', 'createdAt', 'updatedAt'];
/** Routes the service serves already, whatever is in `src/`. */
const TAKEN_ROUTES = ['auth', 'docs', 'docs-json', 'health', 'metrics'];
/** PostgreSQL cuts longer identifiers, which would make every later schema comparison differ. */
const MAX_IDENTIFIER = 63;

export interface Field {
  name: string;
  type: FieldTypeName;
  optional: boolean;
  column: string;
  definition: FieldType;
}

/** What `npm run generate:resource` was asked for, checked and spelled every way the files need. */
export interface ResourceSpec {
  /** `support-tickets`: the folder, the route and the file names. */
  name: string;
  /** `support-ticket` */
  singular: string;
  /** `support_tickets` */
  table: string;
  access: Access;
  fields: Field[];
}

/** Answers the spec, or throws one line saying what is wrong. */
export function parseResource(options: {
  name?: string;
  fields?: string;
  access?: string;
}): ResourceSpec {
  const name = options.name ?? '';
  if (!/^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/.test(name)) {
    fail(
      `Bad name "${name}": a plural lower-case noun, words joined by "-" (invoices, support-tickets)`,
    );
  }
  const singular = pluralize.singular(name);
  if (!pluralize.isPlural(name)) {
    fail(`Bad name "${name}": use the plural, e.g. ${pluralize.plural(name)}`);
  }
  if (TAKEN_ROUTES.includes(name)) fail(`Bad name "${name}": the service serves /${name} already`);
  const access = options.access ?? 'owner';
  if (!ACCESS_MODES.includes(access as Access)) {
    fail(`Unknown access "${access}": use owner or catalog`);
  }
  const spec: ResourceSpec = {
    name,
    singular,
    table: strings.underscore(name),
    access: access as Access,
    fields: parseFields(options.fields ?? '', access as Access),
  };
  const tooLong = identifiers(spec).find((identifier) => identifier.length > MAX_IDENTIFIER);
  if (tooLong)
    fail(`Bad name "${name}": ${tooLong} is longer than PostgreSQL's ${MAX_IDENTIFIER} characters`);
  return spec;
}

function parseFields(list: string, access: Access): Field[] {
  if (list.trim() === '')
    fail(
      'No fields: give --fields "<field>:<type>[?],…", e.g. --fields "title:string,amount:decimal?"',
    );
  const reserved = access === 'owner' ? [...ADDED_COLUMNS, 'owner'] : ADDED_COLUMNS;
  const fields: Field[] = [];
  for (const item of list.split(',').map((part) => part.trim())) {
    const match = /^([^:]*):([a-z]*)(\??)$/i.exec(item);
    if (!match)
      fail(`Bad field "${item}": write <field>:<type>[?], e.g. amount:decimal or note:text?`);
    const [, name, type, optional] = match;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(name)) {
      fail(
        `Bad field name "${name}": camelCase, starting with a lower-case letter (dueDate, line2)`,
      );
    }
    if (reserved.some((column) => column.toLowerCase() === name.toLowerCase())) {
      fail(
        `Field "${name}" is a column the generator adds (${reserved.join(', ')}): choose another name`,
      );
    }
    if (isReservedWord(name) || name === 'constructor' || name === 'prototype') {
      fail(`Bad field name "${name}": a reserved word in TypeScript`);
    }
    if (!(type in FIELD_TYPES)) {
      fail(
        `Unknown type "${type}" for field "${name}": use one of ${Object.keys(FIELD_TYPES).join(', ')}`,
      );
    }
    const column = strings.underscore(name);
    if (fields.some((field) => field.column === column)) fail(`Field "${name}" is listed twice`);
    const fieldType = type as FieldTypeName;
    fields.push({
      name,
      type: fieldType,
      optional: optional === '?',
      column,
      definition: FIELD_TYPES[fieldType],
    });
  }
  return fields;
}

/** Every constraint, index and column name the resource's table will have. */
function identifiers({ table, access, fields }: ResourceSpec): string[] {
  const owned = access === 'owner';
  return [
    `PK_${table}`,
    owned ? `IDX_${table}_owner_id_created_at` : `IDX_${table}_created_at`,
    ...(owned ? [`FK_${table}_owner_id`] : []),
    ...fields.map((field) => field.column),
    ...fields
      .filter((field) => field.type === 'decimal')
      .map((field) => `CHK_${table}_${field.column}`),
  ];
}

/** Words that cannot name a variable (the DTOs destructure their fields), as TypeScript knows them. */
function isReservedWord(name: string): boolean {
  const token = ts.identifierToKeywordKind(ts.factory.createIdentifier(name));
  return (
    token !== undefined &&
    ((token >= ts.SyntaxKind.FirstReservedWord && token <= ts.SyntaxKind.LastReservedWord) ||
      (token >= ts.SyntaxKind.FirstFutureReservedWord &&
        token <= ts.SyntaxKind.LastFutureReservedWord))
  );
}

function fail(message: string): never {
  throw new SchematicsException(message);
}
