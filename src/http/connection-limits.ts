import type { ServerResponse } from 'node:http';
import { BlockList, isIP, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import type { TrustProxy } from '../config/trust-proxy';
import { ThrottledWarning } from './throttled-warning';

const REPORT_INTERVAL_MS = 10_000;

/** proxy-addr's names for address ranges, which TRUST_PROXY takes too. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Keeps one client from taking every connection the process can hold (a file descriptor each): an
 * address (an IPv6 one as its /64, as the rate limits count it) holds at most
 * `MAX_CONNECTIONS_PER_ADDRESS` open connections. Past it, a new connection closes that address's
 * oldest one that is not carrying a whole request (idle, or still sending its headers or body), so
 * that a client holding half-sent requests loses those, and the address's own next request still
 * gets in (`/health` from the same host, say); when every one carries a request being answered,
 * the new connection is closed instead. Proxies that TRUST_PROXY believes are not limited (every
 * client behind them arrives on their connections): with a hop count or `true` every peer is one,
 * with a list the peers it names. Closed connections, and requests answered 408 because they did
 * not arrive in time, are logged at most once per 10 s each.
 */
export function limitConnections(
  server: Server,
  { maxConnectionsPerAddress, trustProxy }: AppConfig['http'],
  logger = new Logger('Connections'),
): void {
  const isProxy = proxyMatcher(trustProxy);
  /** Each address's open connections, oldest first. */
  const open = new Map<string, Set<Socket>>();
  const closed = new ThrottledWarning(
    logger,
    REPORT_INTERVAL_MS,
    (count, ms) =>
      `Closed ${count} more connections over MAX_CONNECTIONS_PER_ADDRESS (${maxConnectionsPerAddress}) in the last ${ms / 1000} s`,
  );
  const timedOut = new ThrottledWarning(
    logger,
    REPORT_INTERVAL_MS,
    (count, ms) => `Answered 408 to ${count} more requests in the last ${ms / 1000} s`,
  );

  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress;
    if (peer === undefined || isProxy(peer)) return;
    const address = normalizeIp(peer);
    let sockets = open.get(address);
    if (!sockets) open.set(address, (sockets = new Set()));
    if (sockets.size >= maxConnectionsPerAddress) {
      const victim = [...sockets].find(carriesNoWholeRequest) ?? socket;
      sockets.delete(victim);
      victim.destroy();
      closed.record(
        () =>
          `Closed ${victim === socket ? 'a new' : 'the oldest unfinished'} connection of ` +
          `${address}, which held ${maxConnectionsPerAddress} (MAX_CONNECTIONS_PER_ADDRESS)`,
      );
      if (victim === socket) return;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && open.get(address) === sockets) open.delete(address);
    });
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return;
    timedOut.record(
      () =>
        `Answered 408 to ${socket.remoteAddress ?? 'a client'}: its request did not arrive within ` +
        'HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS',
    );
  });
}

/**
 * True unless the connection carries a request received whole and being answered. Node's HTTP
 * server keeps the response of a connection's request in flight on `_httpMessage` from the moment
 * the request's headers are in until the response ends; it names no public property for it.
 */
function carriesNoWholeRequest(socket: Socket): boolean {
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return !response || !response.req.complete;
}

function proxyMatcher(trustProxy: TrustProxy): (address: string) => boolean {
  if (trustProxy === false) return () => false;
  if (!Array.isArray(trustProxy)) return () => true;
  const proxies = new BlockList();
  for (const entry of trustProxy.flatMap((name) => NAMED_RANGES[name] ?? [name])) {
    const [address, prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) proxies.addAddress(address, type);
    else proxies.addSubnet(address, Number(prefix), type);
  }
  return (address) => proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}
