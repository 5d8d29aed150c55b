import { Controller, Get, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SkipThrottle, Throttle, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { Counter, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { LOGIN_THROTTLER, LoginThrottle } from './login-throttle.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_REJECTIONS } from './rate-limit.metrics';
import type { PreciseThrottlerRecord } from './redis-throttler.storage';

const LIMIT = 3;
const TTL_MS = 60_000;

/** The Redis storage's semantics in memory (a fixed window, then a block), counting its calls. */
class CountingStorage implements ThrottlerStorage {
  readonly hits = new Map<string, number>();
  calls = 0;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<PreciseThrottlerRecord> {
    this.calls++;
    const id = `${name}:${key}`;
    const totalHits = (this.hits.get(id) ?? 0) + 1;
    this.hits.set(id, totalHits);
    const isBlocked = totalHits > limit;
    return Promise.resolve({
      totalHits,
      timeToExpire: Math.ceil(ttl / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockDuration / 1000) : 0,
      blockMs: isBlocked ? blockDuration : 0,
    });
  }
}

@Controller('sample')
class SampleController {
  @Get('plain')
  plain(): string {
    return 'ok';
  }

  @Throttle({ default: { limit: 1, ttl: TTL_MS } })
  @Get('strict')
  strict(): string {
    return 'ok';
  }

  @Throttle({ default: { limit: () => 2 } })
  @Get('resolved')
  resolved(): string {
    return 'ok';
  }

  @SkipThrottle()
  @Get('free')
  free(): string {
    return 'ok';
  }

  @LoginThrottle()
  @Post('login')
  login(): string {
    return 'ok';
  }
}

@SkipThrottle()
@Controller('skipped')
class SkippedController {
  @Get()
  skipped(): string {
    return 'ok';
  }

  @SkipThrottle({ default: false })
  @Get('counted')
  counted(): string {
    return 'ok';
  }
}

describe(RateLimitGuard.name, () => {
  let app: NestFastifyApplication;
  let storage: CountingStorage;
  let nextAddress = 0;

  beforeEach(async () => {
    storage = new CountingStorage();
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', limit: LIMIT, ttl: TTL_MS },
            { name: LOGIN_THROTTLER, limit: 1, ttl: TTL_MS },
          ],
          storage,
        }),
      ],
      controllers: [SampleController, SkippedController],
      providers: [
        {
          provide: AppConfig,
          useValue: { redis: { keyPrefix: 'test' }, http: { trustProxy: false } },
        },
        {
          provide: RATE_LIMIT_REJECTIONS,
          useValue: new Counter({
            name: 'rejections',
            help: 'rejections',
            labelNames: ['throttler'],
            registers: [registry],
          }),
        },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await app.close();
  });

  const client = (): string => `192.0.2.${++nextAddress}`;
  const get = (url: string, remoteAddress: string) =>
    app.inject({ method: 'GET', url, remoteAddress });
  const statuses = async (url: string, from: string, count: number): Promise<number[]> => {
    const answers: number[] = [];
    for (let i = 0; i < count; i++) answers.push((await get(url, from)).statusCode);
    return answers;
  };

  it('admits the module limit per client, then answers 429 with Retry-After and X-RateLimit-*', async () => {
    const from = client();
    expect(await statuses('/sample/plain', from, LIMIT)).toEqual([200, 200, 200]);
    const limited = await get('/sample/plain', from);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect((await get('/sample/plain', client())).statusCode).toBe(200);
  });

  it('honours @Throttle() on a route, with a number or a function of the request', async () => {
    expect(await statuses('/sample/strict', client(), 2)).toEqual([200, 429]);
    expect(await statuses('/sample/resolved', client(), 3)).toEqual([200, 200, 429]);
    const first = await get('/sample/resolved', client());
    expect(first.headers['x-ratelimit-limit']).toBe('2');
  });

  it('does not count routes under @SkipThrottle(), and counts a method that opts back in', async () => {
    const from = client();
    expect(await statuses('/sample/free', from, LIMIT + 2)).toEqual([200, 200, 200, 200, 200]);
    expect(await statuses('/skipped', from, LIMIT + 2)).toEqual([200, 200, 200, 200, 200]);
    expect(storage.calls).toBe(0);
    expect(await statuses('/skipped/counted', from, LIMIT + 1)).toEqual([200, 200, 200, 429]);
  });

  it('applies the login throttler only to routes marked @LoginThrottle()', async () => {
    await statuses('/sample/plain', client(), 2);
    expect([...storage.hits.keys()].every((id) => id.startsWith('default:'))).toBe(true);
    const from = client();
    const login = () => app.inject({ method: 'POST', url: '/sample/login', remoteAddress: from });
    expect((await login()).statusCode).toBe(201);
    const locked = await login();
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ message: expect.stringMatching(/sign-in attempts/) });
  });

  it('answers a blocked client 429 without asking the store again, until its block ends', async () => {
    let now = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    const from = client();
    expect(await statuses('/sample/plain', from, LIMIT + 1)).toEqual([200, 200, 200, 429]);
    const asked = storage.calls;

    now += TTL_MS - 1_500;
    const limited = await statuses('/sample/plain', from, 5);
    expect(limited).toEqual([429, 429, 429, 429, 429]);
    expect(storage.calls).toBe(asked);
    const answer = await get('/sample/plain', from);
    expect(answer.headers['retry-after']).toBe('2');
    expect(answer.headers['x-ratelimit-remaining']).toBe('0');

    now += 1_500;
    storage.hits.clear();
    expect((await get('/sample/plain', from)).statusCode).toBe(200);
    expect(storage.calls).toBe(asked + 1);
  });
});
