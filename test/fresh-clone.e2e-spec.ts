import { existsSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { freeUrl, ProjectClone } from './support/spawned-app';
import { freePort, waitFor } from './support/ports';

/** `scripts/build-if-needed.js` (`npm start`, `seed`, `user:role`) and the first start, in a clone. */
describe('A fresh clone: building when needed and starting up (e2e)', () => {
  let clone: ProjectClone;
  const path = (...parts: string[]) => join(clone.dir, ...parts);

  beforeAll(() => {
    clone = ProjectClone.create().build();
  });

  afterAll(() => clone?.destroy());

  it('leaves an up-to-date build as it is', () => {
    const before = statSync(path('dist', 'main.js')).mtimeMs;
    clone.build();
    expect(statSync(path('dist', 'main.js')).mtimeMs).toBe(before);
  });

  it('rebuilds when a source is deleted, so that a deleted migration is not applied from dist/', () => {
    const migration = join('database', 'migrations', '1764480000000-UserRoles');
    expect(existsSync(path('dist', `${migration}.js`))).toBe(true);
    rmSync(path('src', `${migration}.ts`));
    clone.build();
    expect(existsSync(path('dist', `${migration}.js`))).toBe(false);
    expect(existsSync(path('dist', 'main.js'))).toBe(true);
  });

  it('builds a source that is older than the build (a file restored from elsewhere)', () => {
    writeFileSync(path('src', 'restored.ts'), 'export const restored = true;\n');
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(path('src', 'restored.ts'), longAgo, longAgo);
    clone.build();
    expect(existsSync(path('dist', 'restored.js'))).toBe(true);
  });

  it('shows start-up lines as they happen, before the database has answered', async () => {
    // A "database" that accepts connections and never answers: the app stays in its start-up.
    const held: Socket[] = [];
    const database: Server = createServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    const databasePort = await freePort();
    await new Promise<void>((resolve) => database.listen(databasePort, '127.0.0.1', resolve));
    const { port } = await freeUrl();
    const app = clone.run({
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: `postgres://app@127.0.0.1:${databasePort}/app`,
      INVENTORY_REPORT_SCHEDULE: 'false',
    });
    try {
      await waitFor(
        () => Promise.resolve(app.output.includes('Starting Nest application')),
        60_000,
        'the first start-up line',
      );
      // The start-up goes on after the line: the database is asked (again, as TypeORM retries).
      const connections = held.length;
      await waitFor(
        () => Promise.resolve(held.length > connections),
        30_000,
        'a connection to the database after the first start-up line',
      );
    } finally {
      app.signal('SIGKILL');
      await app.exited;
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => database.close(resolve));
    }
  });
});
