import { isIP } from 'node:net';
import { normalizeIp } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';

/**
 * The address a request is limited by: Fastify's `request.ip` under TRUST_PROXY (IPv6 addresses as
 * their /64, as @nestjs/throttler counts them), except that an `X-Forwarded-For` entry that is not
 * an IP address is never believed: the address is then the last believed hop before it, so a client
 * cannot make itself new budgets out of made-up words.
 */
export function clientAddress(request: FastifyRequest): string {
  // `ips` (socket first, client last) exists only under TRUST_PROXY; each read parses the header.
  const hops = request.ips;
  if (!hops) return normalizeIp(request.ip ?? '');
  let address = '';
  for (const hop of hops) {
    if (isIP(hop) === 0) break;
    address = hop;
  }
  return normalizeIp(address);
}
