import { Body, Controller, Get, Global, Module, Post } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { getStorageToken, SkipThrottle, Throttle, type ThrottlerStorage } from '@nestjs/throttler';
import { Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/validate-environment';
import { httpServerOptions } from '../http/http-server-options';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { LoginThrottle } from './login-throttle.decorator';
import { RateLimitModule } from './rate-limit.module';
import { setUpRateLimits } from './rate-limit.setup';
import type { PreciseThrottlerRecord } from './redis-throttler.storage';

const LIMIT = 3;
const TTL_MS = 60_000;

/** The Redis storage's semantics in memory (a fixed window, then a block), counting its calls. */
class CountingStorage implements ThrottlerStorage {
  readonly hits = new Map<string, number>();
  calls = 0;
  failing = false;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
  ): Promise<PreciseThrottlerRecord> {
    this.calls++;
    if (this.failing) return Promise.reject(new Error('Command timed out'));
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

  /** Hits counted per throttler name. */
  counted(name: string): number {
    let total = 0;
    for (const [id, hits] of this.hits) if (id.startsWith(`${name}:`)) total += hits;
    return total;
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
  login(@Body() _body: unknown): string {
    return 'ok';
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
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

describe('Rate limits on every request (RateLimitHook, LoginThrottleGuard)', () => {
  let app: NestFastifyApplication;
  let storage: CountingStorage;
  let nextAddress = 0;

  async function start(env: Record<string, string> = {}): Promise<void> {
    storage = new CountingStorage();
    const config = new AppConfig(
      validateEnvironment({
        THROTTLE_LIMIT: String(LIMIT),
        LOGIN_THROTTLE_LIMIT: '1',
        LOGIN_THROTTLE_ADDRESS_LIMIT: '2',
        ...env,
      }),
    );
    @Global()
    @Module({
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: REDIS_CLIENT, useValue: null },
        { provide: Registry, useValue: new Registry() },
      ],
      exports: [AppConfig, REDIS_CLIENT, Registry],
    })
    class Environment {}
    const moduleRef = await Test.createTestingModule({
      imports: [Environment, RateLimitModule],
      controllers: [SampleController, SkippedController],
    })
      .overrideProvider(getStorageToken())
      .useValue(storage)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(httpServerOptions(config)),
      { logger: false },
    );
    setUpRateLimits(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }

  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
  });

  const client = (): string => `192.0.2.${++nextAddress}`;
  const get = (url: string, remoteAddress: string) =>
    app.inject({ method: 'GET', url, remoteAddress });
  const statuses = async (url: string, from: string, count: number): Promise<number[]> => {
    const answers: number[] = [];
    for (let i = 0; i < count; i++) answers.push((await get(url, from)).statusCode);
    return answers;
  };

  describe('with the default settings', () => {
    beforeEach(() => start());

    it('admits the module limit per client, then answers 429 with Retry-After and X-RateLimit-*', async () => {
      const from = client();
      expect(await statuses('/sample/plain', from, LIMIT)).toEqual([200, 200, 200]);
      const limited = await get('/sample/plain', from);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('60');
      expect(limited.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(limited.json()).toMatchObject({ statusCode: 429 });
      expect((await get('/sample/plain', client())).statusCode).toBe(200);
    });

    it('spends the budget on requests no route answers, and on bodies refused before any handler', async () => {
      const from = client();
      const notFound = await get('/nowhere', from);
      expect(notFound.statusCode).toBe(404);
      expect(notFound.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
      const post = (contentType: string, payload: string) =>
        app.inject({
          method: 'POST',
          url: '/sample/echo',
          remoteAddress: from,
          headers: { 'content-type': contentType },
          payload,
        });
      expect((await post('application/xml', '<a/>')).statusCode).toBe(415);
      expect((await post('application/json', '{"a":')).statusCode).toBe(400);
      expect((await get('/nowhere', from)).statusCode).toBe(429);
      expect((await get('/sample/plain', from)).statusCode).toBe(429);
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

    it('limits sign-in attempts per address and email, and per address over all emails', async () => {
      const from = client();
      const login = (email: string) =>
        app.inject({
          method: 'POST',
          url: '/sample/login',
          remoteAddress: from,
          payload: { email },
        });
      expect((await login('a@example.com')).statusCode).toBe(201);
      const sameEmail = await login('A@example.com');
      expect(sameEmail.statusCode).toBe(429);
      expect(sameEmail.json()).toMatchObject({
        message: expect.stringMatching(/sign-in attempts/),
      });
      expect(sameEmail.headers['x-ratelimit-limit']).toBe('1');
      const otherEmail = await login('b@example.com');
      expect(otherEmail.statusCode).toBe(429);
      expect(otherEmail.headers['x-ratelimit-limit']).toBe('2');
      expect(storage.counted('login-address')).toBe(3);
      expect(storage.counted('login')).toBe(3);
    });

    it('applies the login throttlers only to routes marked @LoginThrottle()', async () => {
      await statuses('/sample/plain', client(), 2);
      expect([...storage.hits.keys()].every((id) => id.startsWith('default:'))).toBe(true);
    });

    it('answers a blocked client 429 without asking the store again, until its block ends', async () => {
      let now = 0;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
      const from = client();
      expect(await statuses('/sample/plain', from, LIMIT + 1)).toEqual([200, 200, 200, 429]);
      const asked = storage.calls;

      now += TTL_MS - 1_500;
      const limited = await statuses('/nowhere', from, 5);
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

    it('admits requests the store cannot count, but answers sign-in 503', async () => {
      storage.failing = true;
      const from = client();
      expect(await statuses('/sample/plain', from, LIMIT + 2)).toEqual([200, 200, 200, 200, 200]);
      const login = await app.inject({
        method: 'POST',
        url: '/sample/login',
        remoteAddress: from,
        payload: { email: 'a@example.com' },
      });
      expect(login.statusCode).toBe(503);
    });
  });

  it('answers 503 to requests the store cannot count with THROTTLE_FAIL_MODE=closed', async () => {
    await start({ THROTTLE_FAIL_MODE: 'closed' });
    storage.failing = true;
    const answer = await get('/sample/plain', client());
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toMatchObject({ statusCode: 503 });
    expect((await get('/sample/free', client())).statusCode).toBe(200);
  });

  it.each(['true', '2', '127.0.0.1'])(
    'never makes a client address of an X-Forwarded-For entry that is not an IP (TRUST_PROXY=%s)',
    async (trustProxy) => {
      await start({ TRUST_PROXY: trustProxy });
      const answers: number[] = [];
      for (let i = 0; i <= LIMIT; i++) {
        const res = await app.inject({
          method: 'GET',
          url: '/sample/plain',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': `not-an-address-${i}` },
        });
        answers.push(res.statusCode);
      }
      expect(answers).toEqual([200, 200, 200, 429]);
    },
  );
});
