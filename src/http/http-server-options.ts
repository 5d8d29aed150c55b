import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/app-config';
import type { TrustProxy } from '../config/trust-proxy';

/** Node looks for overdue requests at this interval: at most this long past the timeout. */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 5000;
/** The longest a Node timer runs; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Fastify's server options from the configuration: the body limit, which proxies to believe, and
 * the timeouts that keep slow or stalled clients from holding connections. A request whose headers
 * have not all arrived within `HEADERS_TIMEOUT_MS`, or its body within `REQUEST_TIMEOUT_MS`, is
 * answered 408 and its connection closed (Fastify turns the latter off by default); an idle
 * keep-alive connection is closed after `REQUEST_TIMEOUT_MS`.
 */
export function httpServerOptions(config: AppConfig): FastifyHttpOptions<Server> {
  const { bodyLimitBytes, trustProxy, requestTimeoutMs, headersTimeoutMs } = config.http;
  return {
    bodyLimit: bodyLimitBytes,
    trustProxy: fastifyTrustProxy(trustProxy),
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: Math.min(requestTimeoutMs, MAX_TIMER_MS),
    http: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(
        MAX_TIMEOUT_CHECK_INTERVAL_MS,
        Math.max(100, Math.ceil(headersTimeoutMs / 4)),
      ),
    },
  };
}

/**
 * Fastify (5.12 on) reads a bare number as "trust no hop"; a hop count is the first `hops` addresses
 * counted from the socket, as proxy-addr numbers them.
 */
function fastifyTrustProxy(
  trustProxy: TrustProxy,
): boolean | string[] | ((_: string, hop: number) => boolean) {
  if (typeof trustProxy !== 'number') return trustProxy;
  const hops = trustProxy;
  return (_address, hop) => hop < hops;
}
