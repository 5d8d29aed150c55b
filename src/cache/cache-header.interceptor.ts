import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { CacheOutcomeContext, OutcomeHolder } from './cache-outcome.context';

export const CACHE_HEADER = 'X-Cache';

/** Answers `X-Cache: HIT|MISS|STALE|BYPASS` on every HTTP request that made a cached call. */
@Injectable()
export class CacheHeaderInterceptor implements NestInterceptor {
  constructor(
    private readonly outcomes: CacheOutcomeContext,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const holder: OutcomeHolder = {};
    const reply: unknown = context.switchToHttp().getResponse();
    const answer = (): void => {
      if (holder.outcome) {
        this.adapterHost.httpAdapter.setHeader(reply, CACHE_HEADER, holder.outcome);
      }
    };
    // The handler runs in the async context in which `handle()` is called.
    return this.outcomes
      .run(holder, () => next.handle())
      .pipe(tap({ next: answer, error: answer }));
  }
}
