import request from 'supertest';
import { Leaderboard } from '../src/leaderboard';
import { AppInstance, closeAll, startInstances } from './support/app-instance';
import { waitFor } from './support/ports';
import { ACL_USER, clientsOf, grantReadmeUser } from './support/readme-acl';
import { RedisServer } from './support/redis-server';
import { ReportClient, signIn } from './support/report-client';
import { signedInAgent } from './support/signed-in-agent';
import { isolatedEnv } from './support/test-env';
import { TlsCertificates } from './support/tls-certificates';
import { trending } from './support/trending-client';

const ADMIN_PASSWORD = 'admin-secret';
const APP_PASSWORD = 'app-secret';
const LOGIN_LIMIT = 2;

describe('Redis over TLS only, as an ACL user granted only what the README lists (e2e)', () => {
  let certificates: TlsCertificates;
  let servers: RedisServer[] = [];
  let instances: AppInstance[] = [];

  beforeAll(async () => {
    certificates = TlsCertificates.create();
    servers = await Promise.all(
      [1, 2, 3].map(() => RedisServer.start([], { tls: certificates, password: ADMIN_PASSWORD })),
    );
    for (const server of servers) await grantReadmeUser(server, APP_PASSWORD);
    const env = await isolatedEnv({
      REDIS_URL: servers[0].url,
      REDIS_TLS_CA_FILE: certificates.caFile,
      REDIS_USERNAME: ACL_USER,
      REDIS_PASSWORD: APP_PASSWORD,
      REDIS_KEY_PREFIX: 'app',
      LOCK_REDIS_NODES: servers.map((server) => server.url).join(','),
      CACHE_L1_MAX_ENTRIES: '100',
      THROTTLE_LIMIT: '100000',
      LOGIN_THROTTLE_LIMIT: String(LOGIN_LIMIT),
      TRENDING_FLUSH_INTERVAL_MS: '60000',
    });
    expect(servers[0].url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    instances = await startInstances(2, env);
  });

  afterAll(async () => {
    await closeAll(instances);
    await Promise.all(servers.map((server) => server.destroy()));
    certificates?.destroy();
  });

  it('serves caches, L1 invalidations, sessions, rate limits, locks and trending on TLS-only servers, every connection as the ACL user, no command denied', async () => {
    const [a, b] = instances;
    const cookie = await signIn(a); // an admin's session
    const created = await request(a.url)
      .post('/products')
      .set('Cookie', cookie)
      .send({ name: 'Lamp', category: 'tls', price: 12.5, stock: 3 })
      .expect(201);
    const id = created.body.id as string;
    for (const instance of instances) {
      await request(instance.url).get(`/products/${id}`).expect(200);
      await request(instance.url).get('/products?category=tls').expect(200);
    }
    // b answers from its L1 copy until a's write reaches it over pub/sub (the subscriber's connection).
    await request(a.url)
      .patch(`/products/${id}`)
      .set('Cookie', cookie)
      .send({ price: 14 })
      .expect(200);
    await waitFor(
      async () => (await request(b.url).get(`/products/${id}`)).body.price === 14,
      5_000,
      'the L1 invalidation to reach b',
    );
    const list = await request(b.url).get('/products?category=tls').expect(200);
    expect(list.body.items[0].price).toBe(14);

    await Promise.all(instances.map((instance) => instance.app.get(Leaderboard).flush()));
    expect((await trending(b.url, '?window=1h')).map((item) => item.id)).toEqual([id]);

    const reports = new ReportClient(b.url, cookie);
    const started = await reports.trigger();
    expect(started.status).toBe(202);
    expect((await reports.ended(started.body.runId as string)).status).toBe('completed');

    const member = await signedInAgent(b.url);
    await member.agent.get('/auth/me').expect(200);
    await member.agent.get(`/users/${member.user.id}`).expect(200);
    const fresh = `${member.password}-new`;
    await member.agent
      .patch(`/users/${member.user.id}`)
      .send({ password: fresh, currentPassword: member.password })
      .expect(200);
    await member.agent.post('/auth/logout').expect(204);
    const email = `nobody-${id}@example.com`;
    const attempts = [];
    for (let i = 0; i <= LOGIN_LIMIT; i++) {
      attempts.push(
        (await request(a.url).post('/auth/login').send({ email, password: 'wrong-one' })).status,
      );
    }
    expect(attempts).toEqual([...Array<number>(LOGIN_LIMIT).fill(401), 429]);
    await request(a.url).delete(`/products/${id}`).set('Cookie', cookie).expect(204);
    await request(a.url).get('/health').expect(200);

    for (const server of servers) {
      const client = server.admin();
      const connections = await clientsOf(server);
      expect(connections.length).toBeGreaterThan(0);
      expect(connections.filter((line) => !line.includes(` user=${ACL_USER} `))).toEqual([]);
      expect(connections.filter((line) => !line.includes(' resp=2'))).toEqual([]);
      expect(await client.call('ACL', 'LOG')).toEqual([]);
      client.disconnect();
    }
    const main = servers[0].admin();
    const subscribers = String(await main.client('LIST', 'TYPE', 'PUBSUB'));
    main.disconnect();
    expect(subscribers.trim().split('\n')).toHaveLength(2); // one L1 subscriber per instance
  });
});
