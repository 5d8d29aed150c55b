import { freePort } from './support/ports';
import { ACL_USER, grantReadmeUser } from './support/readme-acl';
import { RedisServer } from './support/redis-server';
import { freeUrl, ProjectClone } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';
import { TlsCertificates } from './support/tls-certificates';

const APP_PASSWORD = 'app-secret';
const WRONG_PASSWORD = 'not-the-app-secret';

describe('The built service refuses to start on a Redis it cannot trust or sign in to (e2e)', () => {
  let clone: ProjectClone;
  let certificates: TlsCertificates;
  let trusted: RedisServer;
  let untrusted: RedisServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    clone = ProjectClone.create().build();
    certificates = TlsCertificates.create();
    [trusted, untrusted] = await Promise.all([
      RedisServer.start([], { tls: certificates, password: 'admin-secret' }),
      RedisServer.start([], { tls: certificates.untrusted, password: 'admin-secret' }),
    ]);
    await grantReadmeUser(trusted, APP_PASSWORD);
    const { DATABASE_URL } = await isolatedEnv();
    const { port } = await freeUrl();
    env = {
      DATABASE_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_TLS_CA_FILE: certificates.caFile,
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([trusted, untrusted].filter(Boolean).map((server) => server.destroy()));
    certificates?.destroy();
    clone?.destroy();
  });

  /** Runs `node dist/main.js`: its exit code and the lines it printed. */
  async function start(
    redis: Record<string, string>,
  ): Promise<{ code: number | null; lines: string[] }> {
    const app = clone.run({ ...env, ...redis });
    const code = await app.exited;
    return { code, lines: app.output.trim().split('\n') };
  }

  it('names REDIS_PASSWORD, and no password, when Redis refuses the ACL user', async () => {
    const { code, lines } = await start({
      REDIS_URL: trusted.url,
      REDIS_USERNAME: ACL_USER,
      REDIS_PASSWORD: WRONG_PASSWORD,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^REDIS_USERNAME/REDIS_PASSWORD: Redis at 127\\.0\\.0\\.1:${trusted.port} refused the user name or password \\(WRONGPASS`,
        ),
      ),
    ]);
    expect(lines[0]).not.toContain(WRONG_PASSWORD);
  });

  it('names REDIS_URL, and not the password in it, when the URL carries the credentials Redis refuses', async () => {
    const url = trusted.url.replace('rediss://', `rediss://${ACL_USER}:${WRONG_PASSWORD}@`);
    const { code, lines } = await start({ REDIS_URL: url });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^REDIS_URL: Redis at .* refused the user name or password/),
    ]);
    expect(lines[0]).not.toContain(WRONG_PASSWORD);
  });

  it('names REDIS_TLS_CA_FILE when the server presents a certificate its CA did not sign', async () => {
    const { code, lines } = await start({
      REDIS_URL: untrusted.url,
      REDIS_USERNAME: ACL_USER,
      REDIS_PASSWORD: APP_PASSWORD,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^REDIS_TLS_CA_FILE: the certificate of Redis at 127\\.0\\.0\\.1:${untrusted.port} is not trusted`,
        ),
      ),
    ]);
    expect(lines[0]).not.toContain(APP_PASSWORD);
  });

  it('names REDIS_SENTINELS when no Sentinel answers', async () => {
    const ports = [await freePort(), await freePort()];
    const { code, lines } = await start({
      REDIS_SENTINELS: ports.map((port) => `127.0.0.1:${port}`).join(','),
      REDIS_PASSWORD: APP_PASSWORD,
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^REDIS_SENTINELS: no Sentinel of 127\\.0\\.0\\.1:${ports[0]},127\\.0\\.0\\.1:${ports[1]} answered`,
        ),
      ),
    ]);
    expect(lines[0]).not.toContain(APP_PASSWORD);
  });
});
