import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { SessionCookie } from './session-cookie';
import { sessionSecret } from './session-secret';
import { SessionService } from './session.service';
import { skipAnonymousReads } from './skip-anonymous-reads';
import { SESSION_COOKIE } from './session.types';

/**
 * Registers @fastify/cookie and @fastify/session: a signed `sid` cookie (HttpOnly, SameSite=Lax,
 * Path=/, Secure in production) without an expiry of its own, since the store's sliding TTL decides
 * when a session ends. Anonymous requests get no cookie and no stored session; anonymous reads get
 * no session object either (`request.session` is null), see {@link skipAnonymousReads}.
 */
export async function setUpSessions(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  const sessions = app.get(SessionService);
  await app.register(fastifyCookie);
  await app.register(skipAnonymousReads(fastifySession), {
    secret: sessionSecret(config),
    cookieName: SESSION_COOKIE,
    cookie: app.get(SessionCookie).options,
    store: sessions.store,
    saveUninitialized: false,
    rolling: false,
  });
}
