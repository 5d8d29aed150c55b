import type { Socket } from 'node:net';
import { Cluster, type Redis } from 'ioredis';

/**
 * Makes a client send the commands written during one turn of the event loop in one write to its
 * socket: the socket is corked at the turn's first command and uncorked in `setImmediate`, at the end
 * of the turn. Under load the requests of one turn issue their cache reads and rate-limit counts
 * together, and each command written alone cost a system call and a read on the Redis side: corked,
 * a Redis command cost a quarter of the CPU time (bench/README.md). ioredis's own auto-pipelining
 * batches one level up, but with defined Lua commands it threw outside any promise (ioredis #1931,
 * #2109); corking the socket leaves commands, their order and their replies exactly as they are.
 * A Cluster's node clients are corked as they are created.
 */
export function coalesceWrites(client: Redis | Cluster): void {
  if (client instanceof Cluster) {
    client.on('+node', (node: Redis) => coalesceWrites(node));
    return;
  }
  client.on('connect', () => corkEachTurn(client.stream));
}

function corkEachTurn(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
