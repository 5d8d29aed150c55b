import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { CacheKeys } from '../cache-keys';
import type { CacheRedisClient, ResolvedCacheOptions } from '../cache-module.options';
import { ChannelSubscriber, SubscriberEvents } from './channel-subscriber';
import { decodeInvalidation } from './invalidation-message';
import { LocalCache } from './local-cache';

/**
 * The L1 tier: one {@link LocalCache} per cache name, each kept coherent by the invalidations that the
 * cache scripts publish on the cache's channel (`PUBLISH`, or `SPUBLISH` in the channel's shard on a
 * Cluster). A cache's copies are used only while its channel is subscribed; when the subscription
 * drops they are cleared, and used again once Redis confirms the new subscription.
 */
export class LocalTier {
  private readonly logger = new Logger('CacheL1');
  private readonly caches = new Map<string, LocalCache>();
  private readonly subscribers: ChannelSubscriber[] = [];
  private shared?: ChannelSubscriber;
  private readonly events: SubscriberEvents = {
    message: (channel, text) => this.receive(channel, text),
    up: (channel) => this.caches.get(channel)?.open(),
    down: (channel) => this.caches.get(channel)?.close(),
  };

  constructor(
    private readonly client: CacheRedisClient,
    private readonly origin: string,
    private readonly options: Pick<
      ResolvedCacheOptions,
      'l1MaxEntries' | 'l1MaxAgeMs' | 'subscriberConnection'
    >,
  ) {}

  /** The local copies of a cache; created, and its channel subscribed, on first use. */
  of(keys: CacheKeys): LocalCache {
    let cache = this.caches.get(keys.channel);
    if (!cache) {
      cache = new LocalCache(this.options.l1MaxEntries, this.options.l1MaxAgeMs);
      this.caches.set(keys.channel, cache);
      this.subscribe(keys.channel);
    }
    return cache;
  }

  /** Drops every copy, and every read in flight: none may be kept. */
  dropAll(): void {
    for (const cache of this.caches.values()) cache.invalidate({ keys: [], tags: [], all: true });
  }

  async close(): Promise<void> {
    const subscribers = this.shared ? [this.shared, ...this.subscribers] : this.subscribers;
    await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
    for (const cache of this.caches.values()) cache.close();
  }

  private subscribe(channel: string): void {
    const client = this.client;
    const connect = this.options.subscriberConnection;
    if (client instanceof Cluster) {
      // Sharded pub/sub: each channel is served by the master of its slot (the cache's hash tag).
      const subscriber = new ChannelSubscriber(
        async () => connect(await shardOf(client, channel)),
        true,
        this.events,
      );
      this.subscribers.push(subscriber);
      subscriber.add(channel);
      return;
    }
    this.shared ??= new ChannelSubscriber(
      () => Promise.resolve(connect(client)),
      false,
      this.events,
    );
    this.shared.add(channel);
  }

  private receive(channel: string, text: string): void {
    const cache = this.caches.get(channel);
    if (!cache) return;
    const message = decodeInvalidation(text);
    if (!message) {
      this.logger.warn(`Unreadable invalidation on ${channel}: local copies dropped`);
      cache.close();
      cache.open();
      return;
    }
    if (message.origin !== this.origin) cache.invalidate(message.invalidation);
  }
}

type SlotRange = [start: number, end: number, master: [host: string, port: number]];

/** The node of the master that owns `channel`'s slot now, as the cluster says. */
async function shardOf(cluster: Cluster, channel: string): Promise<Redis> {
  if (cluster.status !== 'ready') throw new Error('The cluster is not ready');
  const slot = Number(await cluster.cluster('KEYSLOT', channel));
  const ranges = (await cluster.cluster('SLOTS')) as unknown as SlotRange[];
  const [host, port] = ranges.find(([start, end]) => start <= slot && slot <= end)?.[2] ?? [];
  const node = cluster
    .nodes()
    .find((candidate) => candidate.options.host === host && candidate.options.port === port);
  if (!node) throw new Error(`No known node serves slot ${slot}`);
  return node;
}
