import type { Logger } from '@nestjs/common';

/**
 * A warning for events that can come in floods: the first is logged at once, then at most one line
 * per `intervalMs` says how many more there were, for as long as they keep coming.
 */
export class ThrottledWarning {
  private window?: NodeJS.Timeout;
  private more = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly summary: (count: number, intervalMs: number) => string,
  ) {}

  record(message: () => string): void {
    if (this.window) {
      this.more++;
      return;
    }
    this.logger.warn(message());
    this.open();
  }

  private open(): void {
    this.window = setTimeout(() => this.close(), this.intervalMs);
    this.window.unref();
  }

  private close(): void {
    this.window = undefined;
    if (this.more === 0) return;
    this.logger.warn(this.summary(this.more, this.intervalMs));
    this.more = 0;
    this.open();
  }
}
