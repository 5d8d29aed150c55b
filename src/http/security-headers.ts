import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

type Headers = Record<string, string>;

/** Where the Swagger UI and the OpenAPI document are served (`/docs`, its assets, `/docs-json`). */
const DOCS_PREFIX = '/docs';

/**
 * Security headers on every answer. The API answers JSON, which a browser never renders, so it gets
 * the set OWASP's REST Security Cheat Sheet gives an API: `nosniff`, `Referrer-Policy: no-referrer`,
 * frames refused (`X-Frame-Options: DENY` and CSP `default-src 'none'; frame-ancestors 'none'`), and
 * HSTS in production only (a development server on plain HTTP must not pin browsers to HTTPS): five
 * headers instead of helmet's fourteen on every JSON answer.
 *
 * The Swagger UI under `/docs` is a page: it gets helmet's whole set, with helmet's default CSP
 * (its scripts are files of its own, its styles inline) without `upgrade-insecure-requests`, which
 * would send the page's assets to HTTPS on a plain-HTTP deployment.
 *
 * Both sets are the same whatever the request (no CSP nonce), so they are worked out once, at
 * start-up, and set in one call per answer: helmet's middlewares run per request cost a cached read
 * about 6 % of its CPU time, and `@fastify/helmet`, which also builds them per request, about 30 %.
 */
export function addSecurityHeaders(fastify: FastifyInstance, production: boolean): void {
  const api = apiHeaders(production);
  const docs = docsHeaders(production);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith(DOCS_PREFIX) ? docs : api);
    done();
  });
}

const HSTS = 'max-age=31536000; includeSubDomains';

function apiHeaders(production: boolean): Headers {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...(production ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** The headers helmet sets for the Swagger UI with this service's options. */
function docsHeaders(production: boolean): Headers {
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
