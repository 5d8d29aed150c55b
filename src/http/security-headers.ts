import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

type Headers = Record<string, string>;

/**
 * Helmet's headers on every answer: `nosniff`, `Referrer-Policy: no-referrer`, frames refused
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), and HSTS in production only (a
 * development server on plain HTTP must not pin browsers to HTTPS). The CSP is helmet's default,
 * under which the Swagger UI at `/docs` works (its scripts are files of its own, its styles
 * inline), without `upgrade-insecure-requests`, which would send `/docs`' assets to HTTPS on a
 * plain-HTTP deployment.
 *
 * With these options helmet writes the same headers whatever the request (no CSP nonce), so its
 * middleware runs once, at start-up, and every answer gets the headers it wrote in one call:
 * running its dozen middlewares per request cost a cached product read about 6 % of its CPU time,
 * and `@fastify/helmet`, which also builds them per request, about 30 % (bench/README.md).
 */
export function addSecurityHeaders(fastify: FastifyInstance, production: boolean): void {
  const headers = securityHeaders(production);
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}

/** The headers helmet sets with this service's options. */
function securityHeaders(production: boolean): Headers {
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const headers: Headers = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error as Error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}
