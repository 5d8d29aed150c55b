import { DynamicModule } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.setup';

/** One running instance of the service, listening on a free loopback port. */
export interface AppInstance {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** `root` replaces `AppModule` when a test adds modules of its own. */
export async function startInstance(
  env: Record<string, string>,
  root?: DynamicModule,
): Promise<AppInstance> {
  const app = await createApp(env, root);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = await app.getUrl();
  return { app, url, close: () => app.close() };
}

/** N instances of the service on one database and one Redis: the set-up for multi-instance tests. */
export async function startInstances(
  count: number,
  env: Record<string, string>,
): Promise<AppInstance[]> {
  const first = await startInstance(env); // applies migrations once, before the others start
  const rest = await Promise.allSettled(
    Array.from({ length: count - 1 }, () => startInstance(env)),
  );
  const started = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = rest.find((r) => r.status === 'rejected');
  if (failed) {
    await closeAll(started);
    throw failed.reason;
  }
  return started;
}

export async function closeAll(instances: AppInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.close()));
}
