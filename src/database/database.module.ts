import { Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
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
            : await EmbeddedPostgres.start(config.database.dataDir, config.database.poolSize * 2),
        ),
    },
  ],
  exports: [EmbeddedPostgresHolder],
})
class EmbeddedPostgresModule {}

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
    }),
  ],
})
export class DatabaseModule {}
