export { PinoNestLogger } from './pino-nest-logger';
export { createRootLogger, REDACTED_PATHS } from './root-logger';
export { AccessLogController } from './access-log.controller';
export { requestIdOf } from './request-id';
export { registerRequestIds } from './request-logging';
export { requestContext } from './request-context';
