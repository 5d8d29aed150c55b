import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify, { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from './session.types';
import { skipAnonymousReads } from './skip-anonymous-reads';

describe(skipAnonymousReads.name, () => {
  let sut: FastifyInstance;

  beforeEach(async () => {
    sut = Fastify();
    await sut.register(fastifyCookie);
    await sut.register(skipAnonymousReads(fastifySession), {
      secret: 'a-secret-of-at-least-thirty-two-characters',
      cookieName: SESSION_COOKIE,
      cookie: { secure: false },
      saveUninitialized: false,
    });
    const describeSession = (request: { session: { sessionId?: string } | null }) => ({
      session: request.session?.sessionId ? 'built' : 'none',
    });
    sut.get('/read', (request) => describeSession(request));
    sut.post('/read', (request) => describeSession(request));
    sut.post('/sign-in', (request) => {
      request.session.userId = 'user-1';
      return describeSession(request);
    });
    await sut.ready();
  });

  afterEach(() => sut.close());

  it('builds no session for a read without the session cookie', async () => {
    const res = await sut.inject({ method: 'GET', url: '/read' });
    expect(res.json()).toEqual({ session: 'none' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('builds the session of a read that carries the session cookie', async () => {
    const res = await sut.inject({
      method: 'GET',
      url: '/read',
      cookies: { [SESSION_COOKIE]: 'x' },
    });
    expect(res.json()).toEqual({ session: 'built' });
  });

  it('builds a session for any other method, and the plugin still saves it on send', async () => {
    expect((await sut.inject({ method: 'POST', url: '/read' })).json()).toEqual({
      session: 'built',
    });
    const signIn = await sut.inject({ method: 'POST', url: '/sign-in' });
    expect(signIn.json()).toEqual({ session: 'built' });
    expect(String(signIn.headers['set-cookie'])).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  });

  it('keeps the plugin global: a route registered in a child context gets sessions too', async () => {
    const child = Fastify();
    await child.register(fastifyCookie);
    await child.register(skipAnonymousReads(fastifySession), {
      secret: 'a-secret-of-at-least-thirty-two-characters',
      cookie: { secure: false },
    });
    await child.register((scope, _options, done) => {
      scope.post('/scoped', (request) => ({ built: Boolean(request.session?.sessionId) }));
      done();
    });
    expect((await child.inject({ method: 'POST', url: '/scoped' })).json()).toEqual({
      built: true,
    });
    await child.close();
  });
});
