import type { Redis } from 'ioredis';

export interface SubscriberEvents {
  message(channel: string, text: string): void;
  /** The subscription to `channel` is confirmed: messages published from now on arrive. */
  up(channel: string): void;
  /** Messages to `channel` may be lost from now on (connection lost or subscription failed). */
  down(channel: string): void;
}

const RETRY_MS = 1_000;

/**
 * One subscriber connection and its channels, with `SUBSCRIBE` (a standalone Redis) or `SSUBSCRIBE`
 * (the shard owning the channels on a Cluster). Resubscribes by itself after every reconnection
 * (rather than ioredis's autoResubscribe) so that a channel is reported up only once Redis confirmed
 * it. If subscribing fails (a slot moved, a node left), the connection is replaced by a fresh one from
 * `connect`, which may resolve another node.
 */
export class ChannelSubscriber {
  private readonly channels = new Set<string>();
  private readonly up = new Set<string>();
  private connection?: Redis;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly connect: () => Promise<Redis>,
    private readonly sharded: boolean,
    private readonly events: SubscriberEvents,
  ) {
    void this.start();
  }

  add(channel: string): void {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    if (this.connection?.status === 'ready') void this.subscribe(this.connection, [channel]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.markDown();
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.quit().catch(() => connection.disconnect());
  }

  private async start(): Promise<void> {
    if (this.stopped) return;
    let connection: Redis;
    try {
      connection = await this.connect();
    } catch {
      this.restartLater();
      return;
    }
    if (this.stopped) {
      connection.disconnect();
      return;
    }
    this.connection = connection;
    // An error on a live connection is a reply it did not ask for: on a Cluster, the `sunsubscribe`
    // Redis sends when the channel's slot moves away. The channel is lost; start over on its new owner.
    // (Errors of a failing connection are followed by 'close', which is what counts for them.)
    connection.on('error', () => {
      if (connection === this.connection && connection.status === 'ready') this.replace(connection);
    });
    // ioredis reports a MOVED answer to SSUBSCRIBE only by this event (the command never settles).
    connection.on('moved', () => {
      if (connection === this.connection) this.replace(connection);
    });
    connection.on('close', () => this.markDown());
    connection.on('ready', () => void this.subscribe(connection, [...this.channels]));
    const event = this.sharded ? 'smessage' : 'message';
    connection.on(event, (channel: string, text: string) => {
      if (this.up.has(channel)) this.events.message(channel, text);
    });
    connection.connect().catch(() => undefined); // reconnection follows the retry strategy
  }

  private async subscribe(connection: Redis, channels: string[]): Promise<void> {
    if (!channels.length) return;
    try {
      if (this.sharded) await connection.ssubscribe(...channels);
      else await connection.subscribe(...channels);
    } catch {
      if (connection === this.connection) this.replace(connection);
      return;
    }
    if (connection !== this.connection || connection.status !== 'ready') return;
    for (const channel of channels) {
      this.up.add(channel);
      this.events.up(channel);
    }
  }

  private replace(connection: Redis): void {
    this.markDown();
    this.connection = undefined;
    connection.disconnect();
    this.restartLater();
  }

  private markDown(): void {
    for (const channel of this.up) this.events.down(channel);
    this.up.clear();
  }

  private restartLater(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.start(), RETRY_MS);
    this.retry.unref();
  }
}
