import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { SessionService } from './session.service';
import { skipAnonymousReads } from './skip-anonymous-reads';
import { SESSION_COOKIE } from './session.types';

let processSecret: string | undefined;

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
    cookie: { httpOnly: true, sameSite: 'lax', path: '/', secure: config.production },
    store: sessions.store,
    saveUninitialized: false,
    rolling: false,
  });
}

function sessionSecret(config: AppConfig): string {
  if (config.session.secret) return config.session.secret;
  // Validation requires SESSION_SECRET in production, so this is development or test only.
  processSecret ??= randomBytes(32).toString('hex');
  new Logger('Sessions').warn(
    'SESSION_SECRET is unset: session cookies are signed with a random per-process secret, so ' +
      'sessions end when the process restarts and are not shared with other processes.',
  );
  return processSecret;
}
