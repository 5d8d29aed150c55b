import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_CONNECTION, type RedisServer } from './redis-server';

/** The service's ACL user in the tests, as the README names it. */
export const ACL_USER = 'app';

/**
 * Creates the service's ACL user on `server` exactly as the README tells an operator to, with
 * `password` as its password (ACL rules are not replicated: every server needs its own).
 */
export async function grantReadmeUser(server: RedisServer, password: string): Promise<void> {
  const admin = server.admin();
  try {
    await admin.call('ACL', ...readmeAclGrant(password));
  } finally {
    admin.disconnect();
  }
}

/** The README's `ACL SETUSER app …` rule as arguments of `ACL`, with `password` as the password. */
function readmeAclGrant(password: string): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const line = new RegExp(`^ *(ACL SETUSER ${ACL_USER} on .*)$`, 'm').exec(readme)?.[1];
  if (!line) throw new Error(`README.md shows no "ACL SETUSER ${ACL_USER} on …" line`);
  return line
    .split(/\s+/)
    .slice(1)
    .map((word) => (word.startsWith('>') ? `>${password}` : word));
}

/** `CLIENT LIST` of the connections of clients (not replicas, not the tests' own), one line each. */
export async function clientsOf(server: RedisServer): Promise<string[]> {
  const admin = server.admin();
  try {
    const lists = await Promise.all(
      ['NORMAL', 'PUBSUB'].map(
        (type) => admin.call('CLIENT', 'LIST', 'TYPE', type) as Promise<string>,
      ),
    );
    return lists
      .flatMap((list) => list.trim().split('\n'))
      .filter((line) => line !== '' && !line.includes(` name=${ADMIN_CONNECTION} `));
  } finally {
    admin.disconnect();
  }
}
