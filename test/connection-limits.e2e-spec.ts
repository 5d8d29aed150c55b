import { connect, Socket } from 'node:net';
import request from 'supertest';
import { waitFor } from './support/ports';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

const OPEN_FILES = 128;
const HALF_SENT = 200;

/** A connection that sends the start of a request's headers and then nothing more. */
function halfSent(url: string): { socket: Socket; settled: Promise<void>; open: () => boolean } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let closed = false;
  socket.on('error', () => undefined);
  const settled = new Promise<void>((resolve) => {
    socket.once('connect', () => {
      socket.write('GET /products HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      resolve();
    });
    socket.once('close', () => {
      closed = true;
      resolve();
    });
  });
  return { socket, settled, open: () => !closed };
}

describe(`Connections of a production build limited to ${OPEN_FILES} open files (e2e, spawned)`, () => {
  let clone: ProjectClone;
  let app: SpawnedApp;
  let url: string;

  beforeAll(async () => {
    clone = ProjectClone.create().build();
    const free = await freeUrl();
    url = free.url;
    // Timeouts that outlast the test, so that the half-sent requests stay until it ends.
    const env = await isolatedEnv({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars',
      LOG_LEVEL: 'warn',
      PORT: String(free.port),
      HOST: '127.0.0.1',
      HEADERS_TIMEOUT_MS: '120000',
      REQUEST_TIMEOUT_MS: '120000',
    });
    delete env.MAX_CONNECTIONS_PER_ADDRESS; // the service's own default
    app = clone.runWithOpenFileLimit(env, OPEN_FILES);
    await app.waitUntilServing(url);
  });

  afterAll(async () => {
    await app?.stop();
    clone?.destroy();
  });

  it(`keeps /health answering while one client holds ${HALF_SENT} half-sent requests, and logs the connections it closes`, async () => {
    const clients = Array.from({ length: HALF_SENT }, () => halfSent(url));
    try {
      await Promise.all(clients.map((client) => client.settled));
      for (let i = 0; i < 5; i++) {
        await request(url).get('/health').timeout(10_000).expect(200);
      }
      const held = clients.filter((client) => client.open()).length;
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(OPEN_FILES);
      await waitFor(
        () => Promise.resolve(/MAX_CONNECTIONS_PER_ADDRESS/.test(app.output)),
        10_000,
        'the log line about closed connections',
      );
    } finally {
      for (const client of clients) client.socket.destroy();
    }
  });
});
