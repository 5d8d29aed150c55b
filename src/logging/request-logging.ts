import type { FastifyInstance } from 'fastify';
import { requestContext } from './request-context';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Per request: answers `X-Request-Id` (Fastify's `request.id`, see `requestIdOf`) and runs the
 * request in its {@link requestContext}, so that lines written through Nest's `Logger` carry the id.
 */
export function registerRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    requestContext.run(request.id, done);
  });
}
