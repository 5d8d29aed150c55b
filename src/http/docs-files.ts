import { posix } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';

/** The files of swagger-ui-dist that the page at `/docs` loads. */
const UI_ASSETS: ReadonlySet<string> = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
]);

/**
 * Serves, of the swagger-ui-dist folder that `SwaggerModule` publishes under `prefix`, only the
 * files the UI loads: its `package.json`, README, source maps and the rest answer 404 as unknown
 * routes do. Call before `SwaggerModule.setup`, which registers the file routes.
 */
export function serveOnlyUiAssets(fastify: FastifyInstance, prefix: string): void {
  const onlyUiAssets: onRequestHookHandler = (request, _reply, done) => {
    const file = posix.normalize((request.params as { '*'?: string })['*'] ?? '');
    if (UI_ASSETS.has(file)) return done();
    done(new NotFoundException(`Cannot ${request.method} ${request.url}`));
  };
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${prefix}/`) || !route.url.endsWith('/*')) return;
    route.onRequest = [onlyUiAssets, ...[route.onRequest ?? []].flat()];
  });
}
