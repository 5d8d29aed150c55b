import { applyDecorators, UseGuards } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SessionGuard } from './session.guard';
import { SESSION_COOKIE } from './session.types';

/** Requires a session (`SessionGuard`) and documents it in OpenAPI. */
export const SignedIn = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    UseGuards(SessionGuard),
    ApiCookieAuth(SESSION_COOKIE),
    ApiUnauthorizedResponse({ description: 'Not signed in' }),
    ApiServiceUnavailableResponse({ description: 'The session store is unreachable' }),
  );
