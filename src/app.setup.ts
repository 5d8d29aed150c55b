import { DynamicModule, Logger } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { UnavailableFilter } from './common/filters/unavailable.filter';
import { CanonicalIdsPipe } from './common/ids/canonical-ids.pipe';
import { BoundedValidationPipe } from './common/validation/bounded-validation.pipe';
import { AppConfig } from './config/app-config';
import { checkEnvironment } from './config/validate-environment';
import { DataDirLock } from './database/data-dir-lock';
import { limitConnections } from './http/connection-limits';
import { setUpCors } from './http/cors';
import { serveOnlyUiAssets } from './http/docs-files';
import { httpServerOptions } from './http/http-server-options';
import { acceptOnlyJsonBodies } from './http/json-body';
import { addSecurityHeaders } from './http/security-headers';
import {
  AccessLogController,
  createRootLogger,
  PinoNestLogger,
  registerRequestIds,
  requestIdOf,
} from './logging';
import { setUpRateLimits } from './rate-limit/rate-limit.setup';
import { checkRedisAtStartup } from './redis/redis-startup-check';
import { setUpSessions } from './session/session.setup';

/**
 * Builds the application exactly as production runs it; `serve.ts` and the e2e tests both call this.
 * `env` overrides the process environment; `root` (by default `AppModule`) lets a test add modules.
 */
export async function createApp(
  env: Record<string, string> = {},
  root?: DynamicModule,
): Promise<NestFastifyApplication> {
  const environment = checkEnvironment(env);
  // Before Nest starts: a folder another process serves stops start-up with one sentence.
  if (!environment.DATABASE_URL) DataDirLock.assertFree(environment.DATA_DIR);
  const bootConfig = new AppConfig(environment);
  await checkRedisAtStartup(bootConfig);
  const logger = createRootLogger({ format: bootConfig.logFormat, level: bootConfig.logLevel });
  const adapter = new FastifyAdapter({
    ...httpServerOptions(bootConfig),
    loggerInstance: logger,
    logController: new AccessLogController(),
    genReqId: requestIdOf,
  });
  registerRequestIds(adapter.getInstance());
  limitConnections(adapter.getInstance().server, bootConfig.http);
  const app = await NestFactory.create<NestFastifyApplication>(
    root ?? AppModule.forRoot(env),
    adapter,
    // The logger from the start: start-up lines (migrations, the embedded database) show as they happen.
    { abortOnError: false, logger: new PinoNestLogger(logger), bodyParser: false },
  );
  const config = app.get(AppConfig);
  warnIfEveryProxyIsTrusted(config);
  setUpCors(app, config.corsOrigins);
  acceptOnlyJsonBodies(adapter.getInstance(), config.http.bodyLimitBytes);
  addSecurityHeaders(adapter.getInstance(), config.production);
  setUpRateLimits(app);
  app.useGlobalPipes(
    new CanonicalIdsPipe(),
    new BoundedValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
    }),
  );
  app.useGlobalFilters(new UnavailableFilter(app.get(HttpAdapterHost).httpAdapter));
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
  serveOnlyUiAssets(app.getHttpAdapter().getInstance(), '/docs');
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

function warnIfEveryProxyIsTrusted(config: AppConfig): void {
  if (config.http.trustProxy !== true) return;
  new Logger('Bootstrap').warn(
    'TRUST_PROXY=true believes every X-Forwarded-For entry, which any client can write: rate limits ' +
      'can be evaded. Set it to the number of proxies in front of the service or their addresses.',
  );
}
