import type { DestinationStream } from 'pino';

/** The part of pino's SonicBoom destination that the batcher writes to. */
export interface LineTarget {
  write(chunk: string): unknown;
  flush(callback: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * Hands the lines written during one turn of the event loop to the destination as one string.
 * SonicBoom measures its pending buffer (`Buffer.byteLength`, which first flattens it) on every
 * write, so under load each access line copied the few kB logged before it; joined once per turn,
 * that work is done once.
 *
 * At exit the pending lines must reach the destination before it flushes: the batcher makes its
 * destination itself, after registering its own exit listener, which therefore runs first.
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private readonly target: LineTarget;
  private readonly release = (): void => {
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.target.write(chunk);
  };

  constructor(makeTarget: () => LineTarget) {
    process.once('exit', this.release);
    this.target = makeTarget();
  }

  write(line: string): void {
    if (this.lines.push(line) === 1) setImmediate(this.release);
  }

  flush(callback: (error?: Error) => void = () => undefined): void {
    this.release();
    this.target.flush(callback);
  }

  flushSync(): void {
    this.release();
    this.target.flushSync();
  }
}
