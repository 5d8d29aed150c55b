import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';

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
    poolSize,
    extra: { connectionTimeoutMillis: 3000, query_timeout: 10000 },
  };
}
