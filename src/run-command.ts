import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.setup';
import { exitOnStartupError } from './config/validate-environment';

/**
 * Runs a command (`seed`, `user:role`) through the service's own modules and configuration, so that
 * its writes go through the services and their cache invalidations. The whole app, not a bare
 * application context, because some modules hook into the HTTP server; it never listens. Prints
 * the command's result line and exits 0, or prints one line and exits 1.
 */
export function runCommand(work: (app: INestApplication) => Promise<string>): void {
  run(work).then(() => process.exit(0), exitOnStartupError);
}

async function run(work: (app: INestApplication) => Promise<string>): Promise<void> {
  const app = await createApp({ INVENTORY_REPORT_SCHEDULE: 'false', LOG_LEVEL: 'error' });
  await app.init();
  try {
    // The command's result: printed whatever LOG_LEVEL silences.
    console.log(await work(app));
  } finally {
    await app.close();
  }
}
