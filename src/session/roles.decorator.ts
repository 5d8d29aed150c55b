import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { SignedIn } from './signed-in.decorator';
import { ROLES_KEY } from './session.types';

/**
 * Requires a session whose user has one of `roles` (the role comes from
 * {@link SessionUserResolver.roleOf}): 401 without a session, 403 for another role. Implies
 * `@SignedIn()`; on a method it overrides the roles of its class.
 */
export const Roles = (...roles: [string, ...string[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    SignedIn(),
    ApiForbiddenResponse({ description: `Requires the role ${roles.join(' or ')}` }),
  );
