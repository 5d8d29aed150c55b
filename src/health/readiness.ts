import { Injectable } from '@nestjs/common';

/**
 * Whether this instance should still get new traffic. It stops being ready when a shutdown signal
 * arrives, before it stops accepting, so that load balancers and Kubernetes move traffic away first.
 */
@Injectable()
export class Readiness {
  private drainingSince?: Date;

  startDraining(): void {
    this.drainingSince ??= new Date();
  }

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }
}
