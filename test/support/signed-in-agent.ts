import { randomBytes } from 'node:crypto';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';

export interface SignedIn {
  agent: TestAgent;
  user: {
    id: string;
    email: string;
    name: string;
    role: string;
    createdAt: string;
    updatedAt: string;
  };
  password: string;
}

/**
 * Signs up a fresh user and signs in as that user: the agent keeps the session cookie, so routes that
 * need a session (or "that user") can be exercised. Where the service has no sign-in route the agent
 * is simply anonymous.
 */
export async function signedInAgent(url: string, name = 'Test User'): Promise<SignedIn> {
  const agent = request.agent(url);
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `user-${randomBytes(6).toString('hex')}@example.com`;
  const created = await agent.post('/users').send({ email, name, password }).expect(201);
  const login = await agent.post('/auth/login').send({ email, password });
  if (login.status !== 200 && login.status !== 404) {
    throw new Error(`Sign-in failed with ${login.status}: ${JSON.stringify(login.body)}`);
  }
  return { agent, user: created.body, password };
}
