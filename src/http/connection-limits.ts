import { BlockList, isIP, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
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
 * Keeps one client from taking every connection the process can hold (a file descriptor each):
 * past `MAX_CONNECTIONS_PER_ADDRESS` open connections from one address, a new one is closed as soon
 * as it is accepted, so that a client holding half-sent requests leaves room for everyone else,
 * `/health` included, until the headers timeout closes them. Proxies that TRUST_PROXY believes are
 * not capped (every client behind them arrives on their connections): with a hop count or `true`
 * every peer is one, with a list the peers it names. Closed connections, and requests answered 408
 * because they did not arrive in time, are logged at most once per 10 s each.
 */
export function limitConnections(
  server: Server,
  { maxConnectionsPerAddress, trustProxy }: AppConfig['http'],
  logger = new Logger('Connections'),
): void {
  const isProxy = proxyMatcher(trustProxy);
  const open = new Map<string, number>();
  const refused = new ThrottledWarning(
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
    const address = socket.remoteAddress;
    if (address === undefined || isProxy(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= maxConnectionsPerAddress) {
      socket.destroy();
      refused.record(
        () =>
          `Closed a connection from ${address}, which holds ${count} already ` +
          `(MAX_CONNECTIONS_PER_ADDRESS=${maxConnectionsPerAddress})`,
      );
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
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
