import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';
import { typeormOptions } from './typeorm-options';

/** Starts PGlite only when DATABASE_URL is unset; stopped after TypeORM has closed its pool. */
class EmbeddedPostgresHolder implements OnApplicationShutdown {
  constructor(readonly embedded: EmbeddedPostgres | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}

@Module({
  providers: [
    {
      provide: EmbeddedPostgresHolder,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) =>
        new EmbeddedPostgresHolder(
          config.database.url
            ? null
            : await EmbeddedPostgres.forService(config.database.dataDir, config.database.poolSize),
        ),
    },
  ],
  exports: [EmbeddedPostgresHolder],
})
class EmbeddedPostgresModule {}

/** Pending migrations, each in its own transaction, logged by name (TypeORM's own run is silent). */
async function applyMigrations(dataSource: DataSource): Promise<DataSource> {
  const logger = new Logger('Migrations');
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  for (const migration of applied) logger.log(`Applied ${migration.name}`);
  if (applied.length === 0) logger.log('No pending migrations: the schema is up to date');
  return dataSource;
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EmbeddedPostgresHolder],
      useFactory: (config: AppConfig, holder: EmbeddedPostgresHolder) => ({
        ...typeormOptions(
          config.database.url ?? holder.embedded!.url,
          config.database.poolSize,
          config.database.migrationsRun,
        ),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      // Applies the migrations itself (instead of TypeORM's `migrationsRun`) to log them by name.
      dataSourceFactory: async (options) => {
        const { migrationsRun, ...rest } = options as DataSourceOptions;
        const dataSource = await new DataSource({ ...rest, migrationsRun: false }).initialize();
        return migrationsRun ? applyMigrations(dataSource) : dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
