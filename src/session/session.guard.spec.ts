import {
  ExecutionContext,
  ForbiddenException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Roles } from './roles.decorator';
import { SessionBackend } from './session-backend';
import { SessionCookie } from './session-cookie';
import { SessionGuard } from './session.guard';
import { SessionLifetime } from './session-lifetime';
import { SessionUserResolver } from './session-user.resolver';
import { SessionService } from './session.service';

class AdminRoutes {
  @Roles('admin')
  adminOnly(): void {}

  open(): void {}
}

function contextFor(
  request: Partial<FastifyRequest> & { user?: object },
  handler: keyof AdminRoutes = 'open',
): ExecutionContext {
  const reply = { clearCookie: jest.fn() };
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    getHandler: () => AdminRoutes.prototype[handler],
    getClass: () => AdminRoutes,
  } as unknown as ExecutionContext;
}

class TestResolver extends SessionUserResolver {
  resolve = jest.fn<Promise<object | null>, [string]>();
}

describe(SessionGuard.name, () => {
  let backend: jest.Mocked<SessionBackend>;
  let users: TestResolver;
  let sut: SessionGuard;

  beforeEach(() => {
    backend = {
      isAvailable: jest.fn().mockReturnValue(true),
      get: jest.fn(),
      save: jest.fn(),
      touch: jest.fn().mockResolvedValue(undefined),
      destroy: jest.fn().mockResolvedValue(undefined),
      destroyAllOf: jest.fn(),
      close: jest.fn(),
    };
    users = new TestResolver();
    const sessions = new SessionService(
      backend,
      new SessionLifetime(1800, 604800),
      new SessionCookie(false),
    );
    sut = new SessionGuard(sessions, users, new Reflector());
  });

  const signedIn = (userId?: string) =>
    ({ session: { sessionId: 's1', userId, cookie: { originalMaxAge: null } } }) as never;

  it('admits a session whose user exists, puts the user on the request and refreshes the TTL', async () => {
    const request = signedIn('u1') as { user?: object };
    users.resolve.mockResolvedValue({ id: 'u1' });
    await expect(sut.canActivate(contextFor(request))).resolves.toBe(true);
    expect(request.user).toEqual({ id: 'u1' });
    expect(backend.touch).toHaveBeenCalledWith('s1', expect.objectContaining({ userId: 'u1' }));
  });

  it('gives a session signed in without an absolute end one, so that it too ends in time', async () => {
    const request = signedIn('u1') as { session: { endsAt?: number } };
    users.resolve.mockResolvedValue({ id: 'u1' });
    await sut.canActivate(contextFor(request as never));
    expect(request.session.endsAt).toBeGreaterThan(Date.now() + 604800 * 1000 - 60_000);
  });

  it('admits a user whose role a @Roles() route requires', async () => {
    users.resolve.mockResolvedValue({ id: 'u1', role: 'admin' });
    await expect(sut.canActivate(contextFor(signedIn('u1'), 'adminOnly'))).resolves.toBe(true);
  });

  it('answers 403 to a user of another role, or of none, on a @Roles() route', async () => {
    for (const user of [{ id: 'u1', role: 'member' }, { id: 'u1' }]) {
      users.resolve.mockResolvedValue(user);
      await expect(sut.canActivate(contextFor(signedIn('u1'), 'adminOnly'))).rejects.toBeInstanceOf(
        ForbiddenException,
      );
    }
  });

  it('answers 401, not 403, on a @Roles() route without a session', async () => {
    await expect(sut.canActivate(contextFor(signedIn(), 'adminOnly'))).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });

  it('takes the role from the resolver, so an application may keep it anywhere', async () => {
    users.roleOf = (user) => (user as { kind: string }).kind;
    users.resolve.mockResolvedValue({ id: 'u1', kind: 'admin' });
    await expect(sut.canActivate(contextFor(signedIn('u1'), 'adminOnly'))).resolves.toBe(true);
  });

  it('answers 401 without a signed-in session', async () => {
    await expect(sut.canActivate(contextFor(signedIn()))).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });

  it('answers 401 and destroys the session when its user no longer exists', async () => {
    users.resolve.mockResolvedValue(null);
    await expect(sut.canActivate(contextFor(signedIn('gone')))).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
    expect(backend.destroy).toHaveBeenCalledWith('s1', 'gone');
  });

  it('answers 503 while the store is unreachable, before looking at the session', async () => {
    backend.isAvailable.mockReturnValue(false);
    await expect(sut.canActivate(contextFor(signedIn('u1')))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    expect(users.resolve).not.toHaveBeenCalled();
  });

  it('answers 503 when the session could not be loaded', async () => {
    const request = { session: { storeUnavailable: true, cookie: { originalMaxAge: null } } };
    await expect(sut.canActivate(contextFor(request as never))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
  });
});
