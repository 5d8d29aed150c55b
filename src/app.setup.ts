import { Logger, LogLevel, ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { UnavailableFilter } from './common/filters/unavailable.filter';
import { CanonicalIdsPipe } from './common/ids/canonical-ids.pipe';
import { AppConfig } from './config/app-config';
import { checkEnvironment } from './config/validate-environment';
import { DataDirLock } from './database/data-dir-lock';
import { setUpSessions } from './session/session.setup';

const BODY_LIMIT_BYTES = 100 * 1024;
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the application exactly as production runs it; `main.ts` and the e2e tests both call this.
 * `env` overrides the process environment.
 */
export async function createApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
  const environment = checkEnvironment(env);
  // Before Nest starts: a folder another process serves stops start-up with one sentence.
  if (!environment.DATABASE_URL) DataDirLock.assertFree(environment.DATA_DIR);
  // TRUST_PROXY is only known once the configuration is validated; Fastify asks this on each request.
  const proxy = { trusted: false };
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: () => proxy.trusted,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    abortOnError: false,
    bufferLogs: true,
  });
  const config = app.get(AppConfig);
  proxy.trusted = config.http.trustProxy;
  app.useLogger(LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel as LogLevel) + 1));
  app.useGlobalPipes(
    new CanonicalIdsPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
    }),
  );
  app.useGlobalFilters(new UnavailableFilter(app.get(HttpAdapterHost).httpAdapter));
  // Exit 0 once closed; without useProcessExit Nest re-raises the signal and the exit code says killed.
  app.enableShutdownHooks([], { useProcessExit: true });
  await setUpSessions(app);
  setUpDocs(app);
  return app;
}

function setUpDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Nest cache starter')
      .setDescription(
        'Users and Products with decorator-driven Redis caching, sessions, rate limits and a distributed lock',
      )
      .setVersion('0.1.0')
      .addCookieAuth('sid')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export function logStartup(url: string): void {
  new Logger('Bootstrap').log(`Listening on ${url}`);
}
