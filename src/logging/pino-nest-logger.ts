import { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { requestContext } from './request-context';

/**
 * Nest's `LoggerService` over the process's pino logger, so that `new Logger('Context').warn(…)`
 * anywhere writes the same lines as Fastify's request logging, with `context` and, inside a request,
 * its `reqId`. A small adapter rather than nestjs-pino: nestjs-pino writes its access lines from
 * pino-http middleware in front of every request, a second logger per request beside Fastify's own,
 * which already has the request id and writes the access line.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  /**
   * Nest appends the logger's context as the last parameter; `error` may carry a stack before it.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string'
        ? (rest.pop() as string)
        : undefined;
    const fields: Record<string, unknown> = {};
    const reqId = requestContext.requestId();
    if (reqId) fields.reqId = reqId;
    if (context) fields.context = context;
    const stack = rest.find((param) => typeof param === 'string' && /\n\s+at /.test(param));
    if (stack) fields.stack = stack;

    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
