import {
  ArgumentsHost,
  Catch,
  HttpException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { QueryFailedError } from 'typeorm';
import { asClientError } from './client-error';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);

const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|Command timed out|ClusterAllFailedError|Failed to refresh slots cache/i;

/** True for errors that say a backing server (PostgreSQL or Redis) cannot be reached right now. */
export function isUnavailableError(error: unknown): boolean {
  // Duck-typed: errors raised inside Node's own modules (net, dns) are not `instanceof Error` when
  // the code runs in another realm, as it does under jest.
  if (typeof error !== 'object' || error === null) return false;
  const { name, message, code } = errorFields(error);
  const driver = errorFields(error instanceof QueryFailedError ? error.driverError : error);
  return (
    [code, driver.code].some((c) => c !== undefined && CONNECTION_CODES.has(c)) ||
    CONNECTION_MESSAGES.test(message) ||
    CONNECTION_MESSAGES.test(driver.message) ||
    name === 'MaxRetriesPerRequestError'
  );
}

function errorFields(error: unknown): { name?: string; message: string; code?: string } {
  const { name, message, code } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  return {
    name: typeof name === 'string' ? name : undefined,
    message: typeof message === 'string' ? message : '',
    code: typeof code === 'string' ? code : undefined,
  };
}

/**
 * Answers a clear 503 instead of a 500 when the database or Redis is unreachable, and a 4xx in Nest's
 * error shape for client errors that are not `HttpException`s (see {@link asClientError}).
 */
@Catch()
export class UnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(UnavailableFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const clientError = asClientError(exception);
    if (clientError) return super.catch(clientError, host);
    if (!(exception instanceof HttpException) && isUnavailableError(exception)) {
      this.logger.warn(`Backing service unavailable: ${errorFields(exception).message}`);
      const unavailable = new ServiceUnavailableException(
        'A backing service (database or Redis) is unavailable; try again shortly',
      );
      return super.catch(unavailable, host);
    }
    if (exception instanceof HttpException && exception.getStatus() >= 500) {
      const unavailable = exception.getStatus() === 503;
      this.logger[unavailable ? 'warn' : 'error'](exception.message);
    }
    return super.catch(exception, host);
  }
}
