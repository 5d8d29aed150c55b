import { EventEmitter } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { CacheRedisClient as RedisClient } from './cache-module.options';

/**
 * A Keyv store over the project's ioredis client (standalone or cluster), so that cache-manager 7 and
 * `@nestjs/cache-manager` share the one connection. Hand-written because `cache-manager-ioredis-yet`
 * only works with cache-manager ≤ 5 and `@keyv/redis` needs node-redis, not ioredis. Keyv serializes
 * values to strings and prefixes keys with its namespace; this store keeps them as plain strings.
 */
export class IoRedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = { dialect: 'redis' };
  namespace?: string;

  constructor(private readonly client: RedisClient) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return ((await this.client.get(key)) ?? undefined) as StoredData<Value> | undefined;
  }

  /** Keys of one Keyv namespace share no hash tag, so on a cluster they are read one by one. */
  getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((key) => this.get<Value>(key)));
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (ttl && ttl > 0) await this.client.set(key, text, 'PX', ttl);
    else await this.client.set(key, text);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const deleted = await Promise.all(keys.map((key) => this.delete(key)));
    return deleted.some(Boolean);
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(key)) > 0;
  }

  /** Deletes the namespace's keys by SCAN on every master: an administrative call, never a request path. */
  async clear(): Promise<void> {
    const match = this.namespace ? `${this.namespace}:*` : '*';
    const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    await Promise.all(nodes.map((node) => this.clearNode(node, match)));
  }

  /** The client belongs to the Redis module, which closes it. */
  async disconnect(): Promise<void> {}

  private async clearNode(node: Redis, match: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
      await Promise.all(keys.map((key) => node.del(key)));
      cursor = next;
    } while (cursor !== '0');
  }
}
