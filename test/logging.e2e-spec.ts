import { randomBytes } from 'node:crypto';
import { waitFor } from './support/ports';
import { freeUrl, ProjectClone, SpawnedApp } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

interface LogLine {
  level: string;
  msg: string;
  reqId?: string;
  context?: string;
  method?: string;
  route?: string | null;
  status?: number;
  durationMs?: number;
}

/** `node dist/main.js` in production mode, its output captured: what an operator's log pipeline reads. */
describe('Logs, request ids and shutdown of node dist/main.js in production (e2e)', () => {
  let clone: ProjectClone;
  let app: SpawnedApp;
  let url: string;
  let port: number;

  const password = `first-${randomBytes(9).toString('hex')}`;
  const newPassword = `second-${randomBytes(9).toString('hex')}`;
  const lines = (): LogLine[] =>
    app.output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    clone = ProjectClone.create();
    try {
      clone.build();
      ({ port, url } = await freeUrl());
      const env = await isolatedEnv({
        NODE_ENV: 'production',
        SESSION_SECRET: randomBytes(24).toString('hex'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'log',
        SHUTDOWN_DRAIN_MS: '600000',
      });
      app = clone.run(env);
      await app.waitUntilServing(url);
    } catch (error) {
      app?.signal('SIGKILL');
      clone.destroy();
      throw error;
    }
  });

  afterAll(() => {
    app?.signal('SIGKILL');
    clone?.destroy();
  });

  it('writes one JSON object per line and says where it listens and which migrations it applied', async () => {
    await waitFor(
      () => Promise.resolve(app.output.includes('Listening on')),
      10_000,
      'the start-up line to be written',
    );
    const written = lines();
    expect(written.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        `Listening on http://127.0.0.1:${port}`,
        'Applied InitialSchema1764460000000',
        'Applied InventoryReports1764470000000',
      ]),
    );
  });

  it('answers the caller’s sane X-Request-Id, a new one for an unusable one, and logs each request once with it', async () => {
    const echoed = await fetch(`${url}/products?limit=1`, {
      headers: { 'X-Request-Id': 'trace-42.a_b' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a_b');

    for (const unusable of ['has space', 'x'.repeat(129), 'semi;colon']) {
      const res = await fetch(`${url}/products/not-a-uuid`, {
        headers: { 'X-Request-Id': unusable },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }

    await waitFor(
      () => Promise.resolve(lines().some((line) => line.reqId === 'trace-42.a_b')),
      10_000,
      'the access line',
    );
    const access = lines().filter((line) => line.reqId === 'trace-42.a_b');
    expect(access).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request completed',
        method: 'GET',
        route: '/products',
        status: 200,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('never logs a password, the session cookie or the session id over sign-up, login, a password change and logout', async () => {
    const email = `logs-${randomBytes(6).toString('hex')}@example.com`;
    const json = { 'Content-Type': 'application/json' };
    const created = await fetch(`${url}/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, name: 'Logged', password }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password }),
    });
    expect(login.status).toBe(200);
    // The cookie is Secure in production: sent here by hand, as a browser would over HTTPS.
    const sessionOf = (res: Response) => {
      const cookie = res.headers.getSetCookie()[0].split(';')[0];
      const value = cookie.slice(cookie.indexOf('=') + 1);
      return { cookie, value, id: decodeURIComponent(value).split('.')[0] };
    };
    const credentials = (session: ReturnType<typeof sessionOf>) => ({
      Cookie: session.cookie,
      Authorization: `Bearer ${session.id}`,
    });
    const first = sessionOf(login);
    expect(first.id.length).toBeGreaterThan(8);

    const patch = (session: ReturnType<typeof sessionOf>, body: object): Promise<Response> =>
      fetch(`${url}/users/${id}`, {
        method: 'PATCH',
        headers: { ...json, ...credentials(session) },
        body: JSON.stringify(body),
      });
    const changed = await patch(first, { password: newPassword, currentPassword: password });
    expect(changed.status).toBe(200);
    // A password change keeps the caller's session under a new id.
    const rotated = sessionOf(changed);
    expect(rotated.id).not.toBe(first.id);
    expect((await patch(rotated, { password: 'short', currentPassword: newPassword })).status).toBe(
      400,
    );
    const logout = await fetch(`${url}/auth/logout`, {
      method: 'POST',
      headers: credentials(rotated),
    });
    expect(logout.status).toBe(204);

    await waitFor(
      () => Promise.resolve(lines().some((l) => l.route === '/auth/logout' && l.status === 204)),
      10_000,
      'the logout access line',
    );
    expect(lines().filter((line) => line.route === '/users/:id').length).toBeGreaterThanOrEqual(2);
    const sessions = [first.value, first.id, rotated.value, rotated.id];
    for (const secret of [password, newPassword, ...sessions, '$argon2']) {
      expect(app.output).not.toContain(secret);
    }
  });

  it('on SIGTERM answers /health 503 while still serving, then on a second signal closes cleanly with exit 0', async () => {
    app.signal('SIGTERM');
    await waitFor(
      async () => (await fetch(`${url}/health`)).status === 503,
      10_000,
      '/health to answer 503',
    );
    const health = (await (await fetch(`${url}/health`)).json()) as {
      error: Record<string, { status: string }>;
    };
    expect(health.error.shutdown.status).toBe('down');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/products`)).status).toBe(200);

    app.signal('SIGTERM');
    expect(await app.exited).toBe(0);
    const messages = lines().map((line) => line.msg);
    expect(messages).toContainEqual(
      expect.stringMatching(/^SIGTERM received: \/health answers 503/),
    );
    expect(messages).toContain('Shut down cleanly');
  });
});
