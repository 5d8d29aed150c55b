import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionUserResolver } from './session-user.resolver';
import { SessionService } from './session.service';

export type AuthenticatedRequest = FastifyRequest & { user?: object };

/**
 * Admits requests with a live session whose user still exists, and puts that user on the request
 * for `@CurrentUser()`. 401 without one; 503 while the session store is unreachable. Each admitted
 * request restarts the session's idle TTL.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: SessionUserResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    this.sessions.assertAvailable(request);
    const userId = this.sessions.userIdOf(request);
    if (!userId) throw new UnauthorizedException('Sign in first');
    const user = await this.users.resolve(userId);
    if (!user) {
      await this.sessions.end(request, http.getResponse<FastifyReply>());
      throw new UnauthorizedException('Sign in first');
    }
    await this.sessions.touch(request);
    request.user = user;
    return true;
  }
}
