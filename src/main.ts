import 'reflect-metadata';
import { createApp, logStartup } from './app.setup';
import { AppConfig } from './config/app-config';
import { exitOnStartupError } from './config/validate-environment';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { port, host } = app.get(AppConfig).http;
  await app.listen(port, host);
  logStartup(await app.getUrl());
}

bootstrap().catch(exitOnStartupError);
