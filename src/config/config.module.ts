import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnvironment } from './validate-environment';

const APP_CONFIG_KEY = 'app';

/**
 * Reads `.env` and the process environment through @nestjs/config, validates them once and exposes the
 * typed {@link AppConfig}. `overrides` win over both; tests use them to start instances side by side.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          cache: true,
          validate: (raw) => ({
            [APP_CONFIG_KEY]: new AppConfig(validateEnvironment({ ...raw, ...overrides })),
          }),
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>(APP_CONFIG_KEY),
        },
      ],
      exports: [AppConfig],
    };
  }
}
