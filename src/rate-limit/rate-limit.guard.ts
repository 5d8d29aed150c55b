import { hash } from 'node:crypto';
import {
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { BlockedClients } from './blocked-clients';
import { LOGIN_THROTTLE_KEY, LOGIN_THROTTLER } from './login-throttle.decorator';
import { RATE_LIMIT_REJECTIONS } from './rate-limit.metrics';
import type { PreciseThrottlerRecord } from './redis-throttler.storage';
import { Resolver, resolveRouteValue, RouteThrottler, RouteThrottlers } from './route-throttlers';

/** Clients whose store key is kept, so that a client's next requests do not hash its address again. */
const RECENT_CLIENT_KEYS = 10_000;
/** Clients remembered as blocked per throttler; past this the least recently blocked are forgotten. */
const BLOCKED_CLIENTS_PER_THROTTLER = 10_000;

type Limited = Pick<RouteThrottler, 'name'> & { login: boolean };

/**
 * The throttler guard with this service's rules: the default throttler keys by client address alone
 * (one budget shared by all routes, not one per route), the login throttler applies only to routes
 * marked `@LoginThrottle()` and keys by address and email. Keys hold hashes, never addresses or emails.
 * Limited answers carry `X-RateLimit-*`, a 429 also `Retry-After`. When Redis is unreachable the
 * default throttler admits (fails open) and the login throttler answers 503.
 *
 * Cheap per request: which throttlers apply to a route, with their limits, is worked out on the
 * route's first request (`RouteThrottlers`); and a client the store has blocked is answered 429 by
 * this instance until the block ends, without a store round trip (`BlockedClients`). `@Throttle()`
 * and `@SkipThrottle()` work as in @nestjs/throttler; of the module-wide options only the
 * throttlers themselves are read.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');
  private readonly blocked = new Map<string, BlockedClients>();
  /** The keys of the clients seen last: a client's requests hash its address once. */
  private readonly keys = new LRUCache<string, string>({ max: RECENT_CLIENT_KEYS });
  private routes!: RouteThrottlers;
  private failingOpen = false;
  private proxyWarned = false;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    private readonly config: AppConfig,
    @Inject(RATE_LIMIT_REJECTIONS) private readonly rejections: Counter,
  ) {
    super(options, storage, new Reflector());
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    for (const { name = 'default' } of this.throttlers) {
      this.blocked.set(name, new BlockedClients(BLOCKED_CLIENTS_PER_THROTTLER));
    }
    this.routes = new RouteThrottlers(
      this.throttlers,
      this.reflector,
      (name, targets) =>
        name !== LOGIN_THROTTLER ||
        this.reflector.getAllAndOverride<boolean>(LOGIN_THROTTLE_KEY, targets) === true,
    );
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const throttlers = this.routes.for(context.getHandler(), context.getClass());
    if (throttlers.length === 0) return true;
    const { req, res } = this.getRequestResponse(context) as {
      req: FastifyRequest;
      res: FastifyReply;
    };
    for (const throttler of throttlers) {
      if (throttler.skipIf?.(context)) continue;
      await this.count(throttler, context, req, res);
    }
    return true;
  }

  private async count(
    throttler: RouteThrottler,
    context: ExecutionContext,
    req: FastifyRequest,
    res: FastifyReply,
  ): Promise<void> {
    const { name } = throttler;
    const login = name === LOGIN_THROTTLER;
    const limit = valueFor(throttler, 'limit') ?? (await resolved(throttler, 'limit', context));
    this.warnAboutUntrustedProxy(req);
    const address = await (throttler.getTracker?.(req, context) ?? this.getTracker(req));
    const tracker = login ? `${address}|${emailOf(req.body)}` : address;
    const key = throttler.generateKey
      ? throttler.generateKey(context, tracker, name)
      : this.generateKey(context, tracker, name);

    const blocked = this.blocked.get(name) as BlockedClients;
    const blockedMs = blocked.remainingMs(key);
    if (blockedMs > 0) this.reject(res, { name, login }, limit, Math.ceil(blockedMs / 1000));

    const ttl = valueFor(throttler, 'ttl') ?? (await resolved(throttler, 'ttl', context));
    const blockDuration =
      throttler.blockDuration === undefined
        ? ttl
        : (valueFor(throttler, 'blockDuration') ??
          (await resolved(throttler, 'blockDuration', context)));
    const askedAt = blocked.time();
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
      return;
    }

    if (record.isBlocked) {
      blocked.block(key, askedAt, (record as Partial<PreciseThrottlerRecord>).blockMs ?? 0);
      this.reject(res, { name, login }, limit, record.timeToBlockExpire);
    }
    if (!login) {
      this.setLimitHeaders(res, limit, Math.max(0, limit - record.totalHits), record.timeToExpire);
    }
  }

  private reject(
    res: FastifyReply,
    { name, login }: Limited,
    limit: number,
    blockS: number,
  ): never {
    const retryAfter = Math.max(1, blockS);
    void res.header('Retry-After', retryAfter);
    this.setLimitHeaders(res, limit, 0, retryAfter);
    this.rejections.inc({ throttler: name });
    throw new ThrottlerException(
      login
        ? 'Too many sign-in attempts; retry after the time in Retry-After'
        : 'Too many requests; retry after the time in Retry-After',
    );
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    _name: string,
  ): string {
    let key = this.keys.get(tracker);
    if (key === undefined) {
      key = hash('sha256', tracker, 'base64url');
      this.keys.set(tracker, key);
    }
    return key;
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
        'the proxy as one address. Set TRUST_PROXY to the number of proxies or their addresses.',
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

type RouteOption = 'limit' | 'ttl' | 'blockDuration';

/** A route's value when it is a plain number (no promise, no microtask), else undefined. */
function valueFor(throttler: RouteThrottler, option: RouteOption): number | undefined {
  const value = throttler[option];
  return typeof value === 'number' ? value : undefined;
}

function resolved(
  throttler: RouteThrottler,
  option: RouteOption,
  context: ExecutionContext,
): Promise<number> {
  return resolveRouteValue(throttler[option] as Resolver, context, option, throttler.name);
}
