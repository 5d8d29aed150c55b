import {
  BadRequestException,
  ConflictException,
  HttpException,
  NotFoundException,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { EntityNotFoundError } from 'typeorm';
import { conflictOf, isInvalidInput } from '../postgres-errors';

/**
 * The client's fault, said in Nest's error shape `{statusCode, message, error}`. Covers what Nest
 * would otherwise answer without `error` (Fastify's own errors raised before a route runs: malformed
 * JSON, a body over the limit, an unsupported content type, a broken URL), values PostgreSQL
 * refuses, writes that conflict with stored data (409) and TypeORM's `…OrFail` finding nothing (404),
 * so that features added to the service inherit these answers. Answers `undefined` for anything else.
 */
export function asClientError(exception: unknown): HttpException | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const bare = typeof exception.getResponse() === 'string';
    if (!bare || status < 400 || status >= 500) return undefined;
    const error = STATUS_CODES[status] ?? 'Client Error';
    return new HttpException({ statusCode: status, message: exception.message, error }, status);
  }
  const conflict = conflictOf(exception);
  if (conflict) return new ConflictException(conflict);
  if (exception instanceof EntityNotFoundError) {
    return new NotFoundException('The requested resource was not found');
  }
  if (isInvalidInput(exception)) {
    return new BadRequestException(
      'A value cannot be stored: it is missing, out of range or holds a character such as NUL',
    );
  }
  return undefined;
}
