import { Injectable, Logger, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import { SessionBackend } from './session-backend';
import { SessionCookie } from './session-cookie';
import { SessionLifetime } from './session-lifetime';
import { SESSION_COOKIE } from './session.types';

const UNAVAILABLE_MESSAGE =
  'Sessions are unavailable: the session store (Redis) cannot be reached; try again shortly';

/** Starts, refreshes and ends sessions, and adapts the backend to @fastify/session's store API. */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    private readonly backend: SessionBackend,
    private readonly lifetime: SessionLifetime,
    private readonly cookie: SessionCookie,
  ) {}

  /**
   * The store @fastify/session reads and writes. A session that cannot be loaded comes back marked
   * `storeUnavailable` instead of failing the request, so that routes without a session still answer
   * during a Redis outage while the guard answers 503. Sessions without a user are never written.
   */
  readonly store: SessionStore = {
    get: (sessionId, callback) => {
      this.backend.get(sessionId).then(
        (session) => callback(null, session),
        () => callback(null, { cookie: { originalMaxAge: null }, storeUnavailable: true }),
      );
    },
    set: (sessionId, session, callback) => {
      if (!session.userId || session.storeUnavailable) return callback();
      this.backend.save(sessionId, session).then(() => callback(), callback);
    },
    destroy: (sessionId, callback) => {
      this.backend.destroy(sessionId).then(() => callback(), callback);
    },
  };

  /** Answers 503 unless the session store can be used right now. */
  assertAvailable(request?: FastifyRequest): void {
    if (!this.backend.isAvailable() || request?.session?.storeUnavailable) {
      throw new ServiceUnavailableException(UNAVAILABLE_MESSAGE);
    }
  }

  /** The signed-in user's id, if the request carries a live session. */
  userIdOf(request: FastifyRequest): string | undefined {
    return request.session?.userId;
  }

  /**
   * Signs `userId` in under a new session id (the old session, if any, is destroyed: no fixation),
   * ending `SESSION_MAX_AGE_S` from now unless `endsAt` says when.
   */
  async start(
    request: FastifyRequest,
    userId: string,
    endsAt = this.lifetime.endsAtFromNow(),
  ): Promise<void> {
    this.assertAvailable(request);
    await this.unavailableOnError(async () => {
      await request.session.regenerate();
      request.session.userId = userId;
      request.session.endsAt = endsAt;
      await request.session.save();
    });
    // Tells @fastify/session's onSend that the cookie is settled, so that the answer sets the new
    // cookie once instead of also clearing the old one in a second Set-Cookie header.
    request.cookies[SESSION_COOKIE] = request.session.encryptedSessionId;
  }

  /** Restarts the idle TTL of the request's session. */
  async touch(request: FastifyRequest): Promise<void> {
    const { session } = request;
    if (!session.userId) return;
    // A session signed in before maximum ages existed gets its end now (the plugin saves the change).
    session.endsAt ??= this.lifetime.endsAtFromNow();
    await this.unavailableOnError(() => this.backend.touch(session.sessionId, session));
  }

  /**
   * Ends every other session of the request's user, on every instance, and moves this one to a new
   * id (same user, same absolute end): what a password change does.
   */
  async keepOnlyThis(request: FastifyRequest): Promise<void> {
    const { userId, endsAt } = request.session;
    if (!userId) return;
    await this.endAllOf(userId);
    await this.start(request, userId, endsAt);
  }

  /** Destroys the request's session in the store and clears its cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = request.session as Session | null | undefined;
    if (session?.storeUnavailable) this.assertAvailable(request);
    if (session?.userId) {
      const { sessionId } = request.session;
      await this.unavailableOnError(() => this.backend.destroy(sessionId, session.userId));
    }
    reply.clearCookie(SESSION_COOKIE, this.cookie.options);
  }

  /** Ends every session of a user, on every instance. */
  async endAllOf(userId: string): Promise<number> {
    return this.unavailableOnError(() => this.backend.destroyAllOf(userId));
  }

  onModuleDestroy(): void {
    this.backend.close();
  }

  private async unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logger.warn(`Session store error: ${(error as Error).message}`);
      throw new ServiceUnavailableException(UNAVAILABLE_MESSAGE);
    }
  }
}
