import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { AppConfig } from './config/app-config';
import { serveEmbeddedCommands } from './embedded-commands';
import { closeOnSignals } from './lifecycle/graceful-shutdown';
import { describeListenAddress } from './lifecycle/listen-address';

/** Builds the application, serves it on its port until a signal stops it. */
export async function serve(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  closeOnSignals(app, config.shutdownDrainMs);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  new Logger('Bootstrap').log(describeListenAddress(address));
  if (!config.database.url) await serveEmbeddedCommands(app, config.database.dataDir);
}
