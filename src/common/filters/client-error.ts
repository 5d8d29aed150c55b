import { BadRequestException, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { isInvalidInput } from '../postgres-errors';

/**
 * The client's fault, said in Nest's error shape `{statusCode, message, error}`. Covers what Nest
 * would otherwise answer without `error` (Fastify's own errors raised before a route runs: malformed
 * JSON, a body over the limit, an unsupported content type, a broken URL) and values PostgreSQL
 * refuses. Answers `undefined` for anything else.
 */
export function asClientError(exception: unknown): HttpException | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const bare = typeof exception.getResponse() === 'string';
    if (!bare || status < 400 || status >= 500) return undefined;
    const error = STATUS_CODES[status] ?? 'Client Error';
    return new HttpException({ statusCode: status, message: exception.message, error }, status);
  }
  if (isInvalidInput(exception)) {
    return new BadRequestException(
      'A value cannot be stored: it is missing, out of range or holds a character such as NUL',
    );
  }
  return undefined;
}
