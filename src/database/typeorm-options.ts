import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ProjectNamingStrategy } from './naming-strategy';

/** The one description of the database connection, shared by the app and the migration CLI. */
export function typeormOptions(
  url: string,
  poolSize: number,
  migrationsRun: boolean,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new ProjectNamingStrategy(),
    // `gen_random_uuid()` (built into PostgreSQL 13+ and PGlite) for generated uuid columns, as the
    // migrations write it; migration:generate then emits it too. Extensions come from migrations.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize,
    extra: { connectionTimeoutMillis: 3000, query_timeout: 10000 },
  };
}
