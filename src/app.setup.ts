import { ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { UnavailableFilter } from './common/filters/unavailable.filter';
import { AppConfig } from './config/app-config';
import { checkEnvironment } from './config/validate-environment';
import { setUpCors } from './http/cors';
import {
  AccessLogController,
  createRootLogger,
  PinoNestLogger,
  registerRequestIds,
  requestIdOf,
} from './logging';
import { setUpSessions } from './session/session.setup';

const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Builds the application exactly as production runs it; `main.ts` and the e2e tests both call this.
 * `env` overrides the process environment.
 */
export async function createApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
  const logger = rootLogger(env);
  // TRUST_PROXY is only known once the configuration is validated; Fastify asks this on each request.
  const proxy = { trusted: false };
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: () => proxy.trusted,
    loggerInstance: logger,
    logController: new AccessLogController(),
    genReqId: requestIdOf,
  });
  registerRequestIds(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    abortOnError: false,
    bufferLogs: true,
  });
  const config = app.get(AppConfig);
  proxy.trusted = config.http.trustProxy;
  app.useLogger(new PinoNestLogger(logger));
  setUpCors(app, config.corsOrigins);
  app.useGlobalPipes(
    new ValidationPipe({
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

/** Validates the environment before anything starts and builds the process's logger from it. */
function rootLogger(env: Record<string, string>) {
  const config = new AppConfig(checkEnvironment(env));
  return createRootLogger({ format: config.logFormat, level: config.logLevel });
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
