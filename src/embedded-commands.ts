import { type INestApplication, Logger } from '@nestjs/common';
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { UserFacingError } from './common/user-facing-error';
import { isRole } from './users/role';
import { setRoleCommand } from './users/role-command';
import { UsersService } from './users/users.service';

/** What `npm run user:role` asks of a running embedded-mode server. */
interface RoleRequest {
  command: 'user:role';
  email: string;
  role: string;
}

interface Reply {
  ok: boolean;
  message: string;
}

const MAX_REQUEST_BYTES = 4096;
const socketPath = (dataDir: string): string => resolve(dataDir, 'commands.sock');

/**
 * In the embedded mode the server holds the data folder, so `npm run user:role` cannot open the
 * database itself: the server takes the command on a Unix socket in that folder, readable and
 * writable by its owner only, and applies it through its own `UsersService`, whose in-process cache
 * it evicts. The change holds from the user's next request, with no restart and no new sign-in.
 */
export async function serveEmbeddedCommands(app: INestApplication, dataDir: string): Promise<void> {
  const path = socketPath(dataDir);
  // The data folder's lock is this process's: a socket file left there is a dead process's.
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    let request = '';
    const onData = (chunk: string): void => {
      request += chunk;
      if (request.length > MAX_REQUEST_BYTES) return void socket.destroy();
      if (!request.includes('\n')) return;
      socket.off('data', onData);
      void answer(app, request).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    };
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', onData);
  });
  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(path, listening);
    });
  } catch (error) {
    new Logger('EmbeddedCommands').warn(
      `npm run user:role cannot reach this server (${String(error)}): stop it to run the command`,
    );
    return;
  }
  chmodSync(path, 0o600);
  server.unref();
  process.once('exit', () => rmSync(path, { force: true }));
}

async function answer(app: INestApplication, line: string): Promise<Reply> {
  try {
    const { command, email, role } = JSON.parse(line) as Partial<RoleRequest>;
    if (command !== 'user:role' || typeof email !== 'string' || !isRole(role)) {
      return { ok: false, message: 'Not a command this server takes' };
    }
    return { ok: true, message: await setRoleCommand(app.get(UsersService), email, role) };
  } catch (error) {
    const message = error instanceof UserFacingError ? error.message : String(error);
    return { ok: false, message };
  }
}

/** Sends `user:role` to the embedded-mode server that holds `dataDir`; answers its one line. */
export function sendRoleCommand(dataDir: string, email: string, role: string): Promise<string> {
  const request: RoleRequest = { command: 'user:role', email, role };
  return new Promise((resolved, rejected) => {
    let reply = '';
    const socket = connect(socketPath(dataDir), () => socket.write(`${JSON.stringify(request)}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => {
      const { ok, message } = JSON.parse(reply) as Reply;
      if (ok) resolved(message);
      else rejected(new UserFacingError(message));
    });
    socket.on('error', (error) =>
      rejected(
        new UserFacingError(
          `The server that holds ${dataDir} did not take the command (${error.message}): stop it and run the command again.`,
        ),
      ),
    );
  });
}
