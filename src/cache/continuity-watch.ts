import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import type { CacheKeys } from './cache-keys';
import type { CacheRedisClient } from './cache-module.options';

/**
 * Tells when entries in Redis may have missed invalidations because the server that answers is not
 * the one that took them: the connection dropped (an outage; a Sentinel failover, which ends every
 * client connection to the old and the new master), a Cluster node's connection failed, or
 * the master serving a cache's slot is another than at its previous read (a Cluster failover or a
 * replica promoted by hand, seen once a command was redirected to it, or a slot moved).
 */
export class ContinuityWatch {
  private readonly listeners: (() => void)[] = [];
  /** Per cache, its slot and the master that answered its last read (Cluster only). */
  private readonly masters = new Map<string, { slot: number; master?: string }>();

  constructor(private readonly client: CacheRedisClient) {
    const lost = () => this.lost();
    for (const event of ['close', 'error', 'node error']) client.on(event, lost);
  }

  onLost(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * Called when a read of the cache is answered, before the answer is used: a master other than the
   * one of the previous read is a continuity lost, reported before this returns.
   */
  answeredBy(keys: CacheKeys): void {
    if (!(this.client instanceof Cluster)) return;
    let known = this.masters.get(keys.base);
    if (!known) {
      known = { slot: calculateSlot(keys.meta) };
      this.masters.set(keys.base, known);
    }
    const master = this.client.slots[known.slot]?.[0];
    const changed = known.master !== undefined && master !== known.master;
    known.master = master;
    if (changed) this.lost();
  }

  private lost(): void {
    for (const listener of this.listeners) listener();
  }
}
