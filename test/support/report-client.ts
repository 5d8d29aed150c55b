import { randomBytes } from 'node:crypto';
import request, { Response } from 'supertest';
import { UsersService } from '../../src/users/users.service';
import { AppInstance } from './app-instance';
import { waitFor } from './ports';

export interface ReportRun {
  runId: string;
  fencingToken: number;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'completed' | 'failed' | 'fenced';
}

/**
 * Signs up a fresh user, makes it an admin (the report routes are admin routes) and signs in;
 * answers the `Cookie` header that carries the session.
 */
export async function signIn(instance: AppInstance): Promise<string> {
  const { url } = instance;
  const email = `reporter-${randomBytes(6).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  await request(url).post('/users').send({ email, name: 'Reporter', password }).expect(201);
  await instance.app.get(UsersService).setRole(email, 'admin');
  const res = await request(url).post('/auth/login').send({ email, password }).expect(200);
  const cookies = res.headers['set-cookie'] as unknown as string[];
  return cookies.map((cookie) => cookie.split(';')[0]).join('; ');
}

/** The inventory report routes of one instance, called as one signed-in user. */
export class ReportClient {
  constructor(
    readonly url: string,
    private readonly cookie: string,
  ) {}

  trigger(): Promise<Response> {
    return request(this.url).post('/reports/inventory').set('Cookie', this.cookie);
  }

  latest(): Promise<Response> {
    return request(this.url).get('/reports/inventory/latest').set('Cookie', this.cookie);
  }

  async runs(): Promise<ReportRun[]> {
    const res = await request(this.url)
      .get('/reports/inventory/runs?limit=100')
      .set('Cookie', this.cookie)
      .expect(200);
    return res.body.items as ReportRun[];
  }

  async run(runId: string): Promise<ReportRun | undefined> {
    return (await this.runs()).find((run) => run.runId === runId);
  }

  /** Waits until the run has ended and answers it. */
  async ended(runId: string, timeoutMs = 30_000): Promise<ReportRun> {
    let run: ReportRun | undefined;
    await waitFor(
      async () => {
        run = await this.run(runId);
        return run !== undefined && run.status !== 'running';
      },
      timeoutMs,
      `run ${runId} to end`,
    );
    return run!;
  }
}
