import { Provider } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

export const RATE_LIMIT_REJECTIONS = Symbol('RATE_LIMIT_REJECTIONS');
export const RATE_LIMIT_STORE_FAILURES = Symbol('RATE_LIMIT_STORE_FAILURES');

export const rateLimitMetricsProviders: Provider[] = [
  {
    provide: RATE_LIMIT_REJECTIONS,
    inject: [Registry],
    useFactory: (registry: Registry) =>
      new Counter({
        name: 'rate_limit_rejections_total',
        help: 'Requests answered 429 by a rate limit, by throttler',
        labelNames: ['throttler'],
        registers: [registry],
      }),
  },
  {
    provide: RATE_LIMIT_STORE_FAILURES,
    inject: [Registry],
    useFactory: (registry: Registry) =>
      new Counter({
        name: 'rate_limit_store_failures_total',
        help: 'Requests Redis could not count (unreachable, or no answer within the command timeout), by throttler',
        labelNames: ['throttler'],
        registers: [registry],
      }),
  },
];
