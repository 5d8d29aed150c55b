import { createServer } from 'node:http';
import { Redis } from 'ioredis';

/**
 * The reference a cached read is measured against: a bare `node:http` server that answers each
 * request with one ioredis GET, no framework. Usage: reference-server.ts <port> <redisUrl> <key>
 */
const [port, redisUrl, key] = process.argv.slice(2);
const redis = new Redis(redisUrl);

createServer((_req, res) => {
  redis.get(key).then(
    (value) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(value);
    },
    () => {
      res.writeHead(503);
      res.end();
    },
  );
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
