import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { RedisClientFactory } from '../src/redis/redis-client.factory';
import type { RedisClient } from '../src/redis/redis.constants';
import { RedisCluster, RedisServer } from './support/redis-server';

const COMMANDS = 20;
const logger = new Logger('RedisTest');
const clients = new RedisClientFactory({ tls: false });

/** Write system calls this thread has made so far (Linux: `syscw` in `/proc/thread-self/io`). */
const writeCalls = (): number =>
  Number(/^syscw: (\d+)/m.exec(readFileSync('/proc/thread-self/io', 'utf8'))?.[1]);

/** The write system calls made by the commands `send` writes and until their replies are in. */
async function writesOf(send: () => Promise<unknown>): Promise<number> {
  const before = writeCalls();
  await send();
  return writeCalls() - before;
}

const oneTurn = (client: RedisClient) => () =>
  Promise.all(Array.from({ length: COMMANDS }, (_, i) => client.get(`{turn}:${i}`)));

const turnByTurn = (client: RedisClient) => async () => {
  for (let i = 0; i < COMMANDS; i++) await client.get(`{turn}:${i}`);
};

describe('The Redis clients write the commands of one event-loop turn together (e2e)', () => {
  it('sends a turn of commands to a standalone Redis in one write, and later turns apart', async () => {
    const server = await RedisServer.start();
    const client = clients.create({ url: server.url }, logger)!;
    try {
      await client.ping();
      expect(await writesOf(oneTurn(client))).toBe(1);
      expect(await writesOf(turnByTurn(client))).toBe(COMMANDS);
    } finally {
      client.disconnect();
      await server.destroy();
    }
  });

  it('does the same on the node clients of a Cluster', async () => {
    const cluster = await RedisCluster.start();
    const client = clients.create({ clusterNodes: cluster.endpoints }, logger)!;
    try {
      await client.get('{turn}:warm-up');
      expect(await writesOf(oneTurn(client))).toBe(1);
      expect(await writesOf(turnByTurn(client))).toBe(COMMANDS);
    } finally {
      client.disconnect();
      await cluster.destroy();
    }
  }, 60_000);
});
