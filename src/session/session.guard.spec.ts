import {
  ExecutionContext,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SessionBackend } from './session-backend';
import { SessionGuard } from './session.guard';
import { SessionService } from './session.service';

function contextFor(request: Partial<FastifyRequest> & { user?: object }): ExecutionContext {
  const reply = { clearCookie: jest.fn() };
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
}

describe(SessionGuard.name, () => {
  let backend: jest.Mocked<SessionBackend>;
  let users: { resolve: jest.Mock };
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
    users = { resolve: jest.fn() };
    sut = new SessionGuard(new SessionService(backend), users);
  });

  const signedIn = (userId?: string) =>
    ({ session: { sessionId: 's1', userId, cookie: { originalMaxAge: null } } }) as never;

  it('admits a session whose user exists, puts the user on the request and refreshes the TTL', async () => {
    const request = signedIn('u1') as { user?: object };
    users.resolve.mockResolvedValue({ id: 'u1' });
    await expect(sut.canActivate(contextFor(request))).resolves.toBe(true);
    expect(request.user).toEqual({ id: 'u1' });
    expect(backend.touch).toHaveBeenCalledWith('s1', 'u1');
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
