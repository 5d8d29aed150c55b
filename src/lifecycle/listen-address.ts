import type { AddressInfo } from 'node:net';

/**
 * What the bound address means for someone reading the start-up line: a wildcard address is every
 * interface of the machine, not a URL to open.
 */
export function describeListenAddress({ address, port, family }: AddressInfo): string {
  if (address === '0.0.0.0') {
    return `Listening on 0.0.0.0:${port}, every IPv4 interface (on this machine: http://localhost:${port})`;
  }
  if (address === '::') {
    return `Listening on [::]:${port}, every interface (on this machine: http://localhost:${port})`;
  }
  const host = family === 'IPv6' ? `[${address}]` : address;
  return `Listening on http://${host}:${port}`;
}
