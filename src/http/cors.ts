import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Headers a browser front end may read from an answer besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Cache',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
];

/** Every method the API's routes answer (@fastify/cors allows only GET, HEAD and POST by default). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * CORS through @fastify/cors for the listed origins only, with credentials (the session cookie). An
 * origin function rather than a list: with a list @fastify/cors still answers an unlisted origin's
 * preflight and adds `Access-Control-Allow-Credentials`; answering `false` leaves such requests with
 * no CORS header at all (a preflight then meets the router's 404). No origins: CORS stays off.
 */
export function setUpCors(app: NestFastifyApplication, origins: string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.enableCors({
    origin: (
      origin: string | undefined,
      callback: (error: Error | null, allow: string | false) => void,
    ) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: true,
    methods: METHODS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
