import { isIP } from 'node:net';

/**
 * Which proxies' `X-Forwarded-For` entries are believed, in the forms Fastify's `trustProxy` takes:
 * `false` (none), `true` (every hop: spoofable), a hop count, or proxy addresses/CIDRs (and
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Reads a `TRUST_PROXY` value; answers the raw value unchanged when it is none of the forms. */
export function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (['false', 'no', 'off'].includes(text)) return false;
  if (['true', 'yes', 'on'].includes(text)) return true;
  if (/^\d+$/.test(text)) return Number(text) === 0 ? false : Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.every(isAddressOrRange) ? entries : value;
}

export function isTrustProxy(value: unknown): value is TrustProxy {
  return (
    typeof value === 'boolean' ||
    (Number.isSafeInteger(value) && (value as number) > 0) ||
    (Array.isArray(value) && value.length > 0)
  );
}
