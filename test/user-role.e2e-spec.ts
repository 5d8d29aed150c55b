import { AppInstance, startInstance } from './support/app-instance';
import { SignedIn, signedInAgent } from './support/signed-in-agent';
import { ProjectClone } from './support/spawned-app';
import { isolatedEnv } from './support/test-env';

/**
 * `npm run user:role` as an operator runs it: a process of its own on the service's PostgreSQL and
 * Redis, while an instance serves a session whose user it has cached.
 */
describe('npm run user:role against DATABASE_URL and REDIS_URL (e2e)', () => {
  let clone: ProjectClone;
  let instance: AppInstance;
  let env: Record<string, string>;
  let member: SignedIn;

  beforeAll(async () => {
    clone = ProjectClone.create();
    env = await isolatedEnv({ SESSION_SECRET: 'a-test-session-secret-of-at-least-32-chars' });
    instance = await startInstance(env);
    member = await signedInAgent(instance.url, 'Promoted');
  });

  afterAll(async () => {
    await instance?.close();
    clone?.destroy();
  });

  const userRole = async (...args: string[]) => {
    const command = clone.npmRun('user:role', env, args);
    const code = await command.exited;
    return { code, output: command.output.trim() };
  };

  it("builds when needed and makes a member an admin from that user's next request, though the user is cached", async () => {
    await member.agent.get('/users').expect(403);
    await member.agent.get(`/users/${member.user.id}`).expect(200);
    const cached = await member.agent.get(`/users/${member.user.id}`).expect(200);
    expect(cached.headers['x-cache']).toBe('HIT');
    expect(await userRole(member.user.email.toUpperCase(), 'admin')).toEqual({
      code: 0,
      output: expect.stringMatching(new RegExp(`${member.user.email} is now admin$`)),
    });
    await member.agent.get('/users').expect(200);
    const read = await member.agent.get(`/users/${member.user.id}`).expect(200);
    expect(read.body.role).toBe('admin');
    expect(await userRole(member.user.email, 'member')).toMatchObject({ code: 0 });
    await member.agent.get('/users').expect(403);
  }, 240_000);

  it('exits 1 with one line for an unknown email, a bad role or missing arguments', async () => {
    expect(await userRole('nobody@example.com', 'admin')).toEqual({
      code: 1,
      output: 'No user has the email nobody@example.com',
    });
    expect(await userRole(member.user.email, 'root')).toEqual({
      code: 1,
      output: 'Unknown role "root": use one of member, admin',
    });
    expect(await userRole(member.user.email)).toEqual({
      code: 1,
      output: 'Usage: npm run user:role -- <email> <member|admin>',
    });
  });
});
