import { hash } from 'node:crypto';
import {
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LOGIN_THROTTLE_KEY, LOGIN_THROTTLER } from './login-throttle.decorator';
import { MemoizingReflector } from './memoizing-reflector';
import { RATE_LIMIT_REJECTIONS } from './rate-limit.metrics';

/**
 * The throttler guard with this service's rules: the default throttler keys by client address alone
 * (one budget shared by all routes, not one per route), the login throttler applies only to routes
 * marked `@LoginThrottle()` and keys by address and email. Keys hold hashes, never addresses or emails.
 * Limited answers carry `X-RateLimit-*`, a 429 also `Retry-After`. When Redis is unreachable the
 * default throttler admits (fails open) and the login throttler answers 503.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');
  private failingOpen = false;
  private proxyWarned = false;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    private readonly config: AppConfig,
    @Inject(RATE_LIMIT_REJECTIONS) private readonly rejections: Counter,
  ) {
    super(options, storage, new MemoizingReflector());
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    // Skipping the login throttler through `skipIf` happens before the throttler resolves its limits
    // and the route's overrides: other routes do not pay for a throttler that never counts them.
    this.throttlers = this.throttlers.map((throttler) =>
      throttler.name === LOGIN_THROTTLER
        ? { ...throttler, skipIf: (context) => !this.isLoginRoute(context) }
        : throttler,
    );
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, blockDuration, throttler } = props;
    const name = throttler.name ?? 'default';
    const login = name === LOGIN_THROTTLER;
    const { req, res } = this.getRequestResponse(context) as {
      req: FastifyRequest;
      res: FastifyReply;
    };
    this.warnAboutUntrustedProxy(req);
    const address = await this.getTracker(req);
    const tracker = login ? `${address}|${emailOf(req.body)}` : address;
    const key = this.generateKey(context, tracker, name);

    let record;
    try {
      record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
      this.failingOpen = false;
    } catch (error) {
      if (login) {
        throw new ServiceUnavailableException(
          'Sign-in is unavailable: the rate limit store (Redis) cannot be reached; try again shortly',
        );
      }
      this.warnFailingOpen(error);
      return true;
    }

    if (record.isBlocked) {
      const retryAfter = Math.max(1, record.timeToBlockExpire);
      void res.header('Retry-After', retryAfter);
      this.setLimitHeaders(res, limit, 0, retryAfter);
      this.rejections.inc({ throttler: name });
      throw new ThrottlerException(
        login
          ? 'Too many sign-in attempts; retry after the time in Retry-After'
          : 'Too many requests; retry after the time in Retry-After',
      );
    }
    if (!login) {
      this.setLimitHeaders(res, limit, Math.max(0, limit - record.totalHits), record.timeToExpire);
    }
    return true;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    _name: string,
  ): string {
    const digest = hash('sha256', tracker, 'base64url');
    return `${this.config.redis.keyPrefix}:rate-limit:${digest}`;
  }

  private isLoginRoute(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(LOGIN_THROTTLE_KEY, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }

  private setLimitHeaders(
    res: FastifyReply,
    limit: number,
    remaining: number,
    reset: number,
  ): void {
    void res.header(`${this.headerPrefix}-Limit`, limit);
    void res.header(`${this.headerPrefix}-Remaining`, remaining);
    void res.header(`${this.headerPrefix}-Reset`, reset);
  }

  private warnAboutUntrustedProxy(req: FastifyRequest): void {
    if (this.proxyWarned || this.config.http.trustProxy || !req.headers['x-forwarded-for']) return;
    this.proxyWarned = true;
    this.log.warn(
      'Requests carry X-Forwarded-For but TRUST_PROXY is off: rate limits count every client behind ' +
        'the proxy as one address. Set TRUST_PROXY=true when the service runs behind a proxy.',
    );
  }

  private warnFailingOpen(error: unknown): void {
    if (this.failingOpen) return;
    this.failingOpen = true;
    this.log.warn(`Rate limits are not enforced while Redis is unreachable: ${String(error)}`);
  }
}

function emailOf(body: unknown): string {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}
