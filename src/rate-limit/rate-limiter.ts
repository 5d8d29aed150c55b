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
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { BlockedClients } from './blocked-clients';
import { clientAddress } from './client-address';
import { isLoginThrottler } from './login-throttlers';
import { RATE_LIMIT_REJECTIONS, RATE_LIMIT_STORE_FAILURES } from './rate-limit.metrics';
import type { PreciseThrottlerRecord } from './redis-throttler.storage';
import { Resolver, resolveRouteValue, RouteThrottler, RouteThrottlers } from './route-throttlers';

/** Clients whose store key is kept, so that a client's next requests do not hash its address again. */
const RECENT_CLIENT_KEYS = 10_000;
/** Clients remembered as blocked per throttler; past this the least recently blocked are forgotten. */
const BLOCKED_CLIENTS_PER_THROTTLER = 10_000;
const HEADER_PREFIX = 'X-RateLimit';

/** The request's ExecutionContext, built only when a throttler's option is a function of it. */
export type ContextOf = () => ExecutionContext;

/**
 * Counts requests against @nestjs/throttler's throttlers with this service's rules: a throttler
 * keys by client address alone ({@link clientAddress}), unless its `getTracker` says otherwise (the
 * login throttler adds the email), so the general budget is one per address, shared by all routes.
 * Keys hold hashes, never addresses or emails. Answers carry `X-RateLimit-*` (login throttlers' only
 * on their 429), a 429 also `Retry-After`. `@Throttle()` and `@SkipThrottle()` work as in
 * @nestjs/throttler; of the module-wide options only the throttlers themselves are read.
 *
 * When Redis cannot count a request (unreachable, or no answer within its command timeout) the
 * general limit admits it (`THROTTLE_FAIL_MODE=open`) or answers 503 (`closed`); the login limits
 * always answer 503, so that an outage never turns sign-in into an unthrottled password oracle.
 * A client the store has blocked is answered 429 by this instance until the block ends, without a
 * store round trip (`BlockedClients`).
 */
@Injectable()
export class RateLimiter {
  private readonly log = new Logger('RateLimit');
  private readonly throttlers: ThrottlerOptions[];
  private readonly failClosed: boolean;
  private readonly blocked = new Map<string, BlockedClients>();
  /** The keys of the clients seen last: a client's requests hash its address once. */
  private readonly keys = new LRUCache<string, string>({ max: RECENT_CLIENT_KEYS });
  private readonly reflector = new Reflector();
  private failing = false;
  private proxyWarned = false;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
    @Inject(RATE_LIMIT_REJECTIONS) private readonly rejections: Counter,
    @Inject(RATE_LIMIT_STORE_FAILURES) private readonly failures: Counter,
  ) {
    const throttlers = Array.isArray(options) ? options : options.throttlers;
    this.throttlers = throttlers.map((throttler) => ({
      ...throttler,
      name: throttler.name ?? 'default',
    }));
    for (const { name = 'default' } of this.throttlers) {
      this.blocked.set(name, new BlockedClients(BLOCKED_CLIENTS_PER_THROTTLER));
    }
    this.failClosed = config.throttle.failMode === 'closed';
  }

  /** The throttlers of each route, among those `applies` selects. */
  routeThrottlers(applies: (throttler: string) => boolean): RouteThrottlers {
    return new RouteThrottlers(this.throttlers, this.reflector, applies);
  }

  /**
   * Counts the request against each of `throttlers` (in one store call on a standalone Redis);
   * rejects with a 429 past a limit, or a 503 when the store cannot count it and that fails closed.
   */
  hitAll(
    throttlers: RouteThrottler[],
    request: FastifyRequest,
    reply: FastifyReply,
    contextOf: ContextOf,
  ): Promise<void> {
    if (throttlers.length === 1) return this.hit(throttlers[0], request, reply, contextOf);
    return Promise.all(
      throttlers.map((throttler) => this.hit(throttler, request, reply, contextOf)),
    ).then(() => undefined);
  }

  private async hit(
    throttler: RouteThrottler,
    request: FastifyRequest,
    reply: FastifyReply,
    contextOf: ContextOf,
  ): Promise<void> {
    const { name } = throttler;
    if (throttler.skipIf?.(contextOf())) return;
    const limit = valueFor(throttler, 'limit') ?? (await resolved(throttler, 'limit', contextOf));
    this.warnAboutUntrustedProxy(request);
    const tracker = throttler.getTracker
      ? await throttler.getTracker(request, contextOf())
      : clientAddress(request);
    const key = throttler.generateKey
      ? throttler.generateKey(contextOf(), tracker, name)
      : this.keyOf(tracker);

    const blocked = this.blocked.get(name) as BlockedClients;
    const blockedMs = blocked.remainingMs(key);
    if (blockedMs > 0) this.reject(reply, name, limit, Math.ceil(blockedMs / 1000));

    const ttl = valueFor(throttler, 'ttl') ?? (await resolved(throttler, 'ttl', contextOf));
    const blockDuration =
      throttler.blockDuration === undefined
        ? ttl
        : (valueFor(throttler, 'blockDuration') ??
          (await resolved(throttler, 'blockDuration', contextOf)));
    const askedAt = blocked.time();
    let record;
    try {
      record = await this.storage.increment(key, ttl, limit, blockDuration, name);
    } catch (error) {
      this.storeFailed(name, error);
      return;
    }
    this.failing = false;
    if (record.isBlocked) {
      blocked.block(key, askedAt, (record as Partial<PreciseThrottlerRecord>).blockMs ?? 0);
      this.reject(reply, name, limit, record.timeToBlockExpire);
    }
    if (!isLoginThrottler(name)) {
      setLimitHeaders(reply, limit, Math.max(0, limit - record.totalHits), record.timeToExpire);
    }
  }

  private reject(reply: FastifyReply, name: string, limit: number, blockS: number): never {
    const retryAfter = Math.max(1, blockS);
    void reply.header('Retry-After', retryAfter);
    setLimitHeaders(reply, limit, 0, retryAfter);
    this.rejections.inc({ throttler: name });
    throw new ThrottlerException(
      isLoginThrottler(name)
        ? 'Too many sign-in attempts; retry after the time in Retry-After'
        : 'Too many requests; retry after the time in Retry-After',
    );
  }

  /** Admits the request, or throws a 503 for the login limits and in fail-closed mode. */
  private storeFailed(name: string, error: unknown): void {
    this.failures.inc({ throttler: name });
    if (isLoginThrottler(name)) {
      throw new ServiceUnavailableException(
        'Sign-in is unavailable: the rate limit store (Redis) cannot be reached; try again shortly',
      );
    }
    if (!this.failing) {
      this.failing = true;
      this.log.warn(
        `Redis cannot count requests (${String(error)}): the general rate limit ` +
          (this.failClosed ? 'answers 503 (THROTTLE_FAIL_MODE=closed)' : 'is not enforced'),
      );
    }
    if (this.failClosed) {
      throw new ServiceUnavailableException(
        'Requests cannot be counted against the rate limit right now; try again shortly',
      );
    }
  }

  private keyOf(tracker: string): string {
    let key = this.keys.get(tracker);
    if (key === undefined) {
      key = hash('sha256', tracker, 'base64url');
      this.keys.set(tracker, key);
    }
    return key;
  }

  private warnAboutUntrustedProxy(request: FastifyRequest): void {
    if (this.proxyWarned || this.config.http.trustProxy || !request.headers['x-forwarded-for']) {
      return;
    }
    this.proxyWarned = true;
    this.log.warn(
      'Requests carry X-Forwarded-For but TRUST_PROXY is off: rate limits count every client behind ' +
        'the proxy as one address. Set TRUST_PROXY to the number of proxies or their addresses.',
    );
  }
}

function setLimitHeaders(reply: FastifyReply, limit: number, remaining: number, reset: number) {
  void reply.header(`${HEADER_PREFIX}-Limit`, limit);
  void reply.header(`${HEADER_PREFIX}-Remaining`, remaining);
  void reply.header(`${HEADER_PREFIX}-Reset`, reset);
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
  contextOf: ContextOf,
): Promise<number> {
  return resolveRouteValue(throttler[option] as Resolver, contextOf(), option, throttler.name);
}
