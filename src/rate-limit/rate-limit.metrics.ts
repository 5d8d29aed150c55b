import { Provider } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

export const RATE_LIMIT_REJECTIONS = Symbol('RATE_LIMIT_REJECTIONS');

export const rateLimitRejectionsProvider: Provider = {
  provide: RATE_LIMIT_REJECTIONS,
  inject: [Registry],
  useFactory: (registry: Registry) =>
    new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests answered 429 by a rate limit, by throttler',
      labelNames: ['throttler'],
      registers: [registry],
    }),
};
