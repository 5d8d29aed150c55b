import { createServer } from 'node:http';

/**
 * A collector stand-in for benchmarks: accepts OTLP/HTTP exports (protobuf or JSON), reads and drops
 * them, and answers success, as a collector that keeps up would. Its own process, as a collector is.
 * Usage: otlp-sink.ts <port>
 */
const [port] = process.argv.slice(2);

createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    const json = req.headers['content-type']?.startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
