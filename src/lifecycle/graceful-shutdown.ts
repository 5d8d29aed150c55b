import { INestApplication, Logger } from '@nestjs/common';
import { Readiness } from '../health/readiness';
import { shutdownTracing } from '../tracing/shutdown';

/**
 * SIGTERM and SIGINT as a rolling update needs them: `/health` answers 503 at once while the server
 * goes on serving for `drainMs` (load balancers see it leave), then `app.close()` stops accepting,
 * finishes the requests in flight, runs the shutdown hooks (locks released, connections closed) and
 * the process exits 0. A second signal cuts the drain short. Nest's `enableShutdownHooks` would
 * close at once.
 */
export function closeOnSignals(app: INestApplication, drainMs: number): void {
  const logger = new Logger('Shutdown');
  const readiness = app.get(Readiness);
  let endDrain: (() => void) | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (endDrain) return endDrain();
    readiness.startDraining();
    logger.log(
      `${signal} received: /health answers 503; serving for ${drainMs} ms more, then finishing ` +
        'the requests in flight',
    );
    void new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, drainMs);
      endDrain = () => {
        clearTimeout(timer);
        resolve();
      };
    })
      .then(() => {
        logger.log('Stopped accepting connections; finishing the requests in flight');
        return app.close();
      })
      .then(
        async () => {
          logger.log('Shut down cleanly');
          await shutdownTracing();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
