import { DefaultNamingStrategy, Table, View } from 'typeorm';

const tableName = (tableOrName: Table | View | string): string =>
  (typeof tableOrName === 'string' ? tableOrName : tableOrName.name).split('.').pop()!;

/**
 * Constraint and index names as the migrations spell them (`PK_products`, `FK_<table>_<columns>`,
 * `IDX_<table>_<columns>`, `UQ_…`) instead of TypeORM's hashes, so that `migration:generate` writes
 * names a reader can place. Names given in an entity (`@Index('IDX_…')`) still win.
 */
export class ProjectNamingStrategy extends DefaultNamingStrategy {
  override primaryKeyName(tableOrName: Table | string): string {
    return `PK_${tableName(tableOrName)}`;
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return `FK_${tableName(tableOrName)}_${columnNames.join('_')}`;
  }

  override indexName(tableOrName: Table | View | string, columnNames: string[]): string {
    return `IDX_${tableName(tableOrName)}_${columnNames.join('_')}`;
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return `UQ_${tableName(tableOrName)}_${columnNames.join('_')}`;
  }

  override relationConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return `REL_${tableName(tableOrName)}_${columnNames.join('_')}`;
  }
}
