import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's headers on every answer: `nosniff`, `Referrer-Policy: no-referrer`, frames refused
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), and HSTS in production only (a
 * development server on plain HTTP must not pin browsers to HTTPS). The CSP is helmet's default,
 * under which the Swagger UI at `/docs` works (its scripts are files of its own, its styles
 * inline), without `upgrade-insecure-requests`, which would send `/docs`' assets to HTTPS on a
 * plain-HTTP deployment.
 *
 * Helmet's middleware is built once and run from one `onRequest` hook: `@fastify/helmet` builds it
 * anew for every request, which added about 30 % to the CPU time of a cached product read (this
 * way adds about 4 %; bench/README.md).
 */
export function addSecurityHeaders(fastify: FastifyInstance, production: boolean): void {
  const setHeaders = helmet({
    contentSecurityPolicy: {
      directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    setHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
}
