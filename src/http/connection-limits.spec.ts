import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import type { Logger } from '@nestjs/common';
import type { TrustProxy } from '../config/trust-proxy';
import { limitConnections } from './connection-limits';

const MAX = 2;

describe(limitConnections.name, () => {
  let server: Server;
  let warn: jest.Mock;
  const sockets: Socket[] = [];

  async function listen(trustProxy: TrustProxy = false): Promise<void> {
    // Answers /slow never, anything else at once.
    server = createServer((request, response) => {
      if (request.url !== '/slow') response.end('ok');
    });
    warn = jest.fn();
    const http = { maxConnectionsPerAddress: MAX, trustProxy };
    limitConnections(server, http as never, { warn } as unknown as Logger);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A connection that sends `head`: once the server has taken it, and its request if whole. */
  async function open(head: string, whole: boolean): Promise<Socket> {
    const accepted = once(server, 'connection');
    const requested = whole ? once(server, 'request') : undefined;
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    sockets.push(socket);
    await Promise.all([accepted, once(socket, 'connect')]);
    socket.write(head);
    await requested;
    return socket;
  }
  const halfSent = () => open('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', false);
  const slow = () => open('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', true);
  const isOpen = (socket: Socket) => !socket.destroyed && socket.readyState === 'open';
  const closed = (socket: Socket) =>
    socket.closed ? Promise.resolve() : once(socket, 'close').then(() => undefined);

  it("closes the address's oldest connection that has not sent a whole request, and logs it", async () => {
    await listen();
    const [first, second] = [await halfSent(), await halfSent()];
    const third = await open('GET / HTTP/1.1\r\nHost: x\r\n\r\n', true);
    await closed(first);
    expect(isOpen(second)).toBe(true);
    expect(isOpen(third)).toBe(true);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^Closed the oldest unfinished connection of 127\.0\.0\.1/),
    );
  });

  it('closes the new connection when every open one carries a request being answered', async () => {
    await listen();
    const [first, second] = [await slow(), await slow()];
    const third = await halfSent();
    await closed(third);
    expect(isOpen(first)).toBe(true);
    expect(isOpen(second)).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Closed a new connection/));
  });

  it.each<[string, TrustProxy]>([
    ['named as a proxy by address', ['loopback']],
    ['behind a hop count', 1],
  ])('does not limit a peer %s', async (_name, trustProxy) => {
    await listen(trustProxy);
    const held = [await halfSent(), await halfSent(), await halfSent()];
    expect(held.every(isOpen)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('limits a peer a proxy list does not name', async () => {
    await listen(['10.0.0.0/8']);
    const first = await halfSent();
    await halfSent();
    await halfSent();
    await closed(first);
  });
});
