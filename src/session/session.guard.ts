import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionUserResolver } from './session-user.resolver';
import { SessionService } from './session.service';
import { ROLES_KEY } from './session.types';

export type AuthenticatedRequest = FastifyRequest & { user?: object };

/**
 * Admits requests with a live session whose user still exists, and puts that user on the request
 * for `@CurrentUser()`. 401 without one; 403 when the route requires roles (`@Roles()`) that the
 * user lacks; 503 while the session store is unreachable. Each request of a signed-in user restarts
 * the session's idle TTL.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: SessionUserResolver,
    private readonly reflector: Reflector,
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
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const role = this.users.roleOf(user);
    if (roles && (role === undefined || !roles.includes(role))) {
      throw new ForbiddenException(`Requires the role ${roles.join(' or ')}`);
    }
    return true;
  }
}
