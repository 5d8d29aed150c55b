import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Helmet's headers on every answer: `nosniff`, `Referrer-Policy: no-referrer`, frames refused
 * (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), and HSTS in production only (a
 * development server on plain HTTP must not pin browsers to HTTPS). The CSP is helmet's default,
 * under which the Swagger UI at `/docs` works (its scripts are files of its own, its styles
 * inline), without `upgrade-insecure-requests`, which would send `/docs`' assets to HTTPS on a
 * plain-HTTP deployment.
 */
export async function addSecurityHeaders(
  app: NestFastifyApplication,
  production: boolean,
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
