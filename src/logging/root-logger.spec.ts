import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { createRootLogger, prettyMessage } from './root-logger';

/** A destination that keeps every line written to it. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createRootLogger', () => {
  it('writes to stdout every line logged in the turn that calls process.exit', () => {
    const script = [
      `const { createRootLogger } = require(${JSON.stringify(require.resolve('./root-logger'))});`,
      "const logger = createRootLogger({ format: 'json', level: 'log' });",
      "for (let i = 0; i < 3; i++) logger.info({ i }, 'before exit');",
      "logger.error('last words');",
      'process.exit(1);',
    ].join('\n');
    let stdout = '';
    try {
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        encoding: 'utf8',
      });
    } catch (error) {
      stdout = (error as { stdout: string }).stdout;
    }
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(['before exit', 'before exit', 'before exit', 'last words']);
  });

  it('redacts passwords, hashes, cookies, authorization headers and session ids wherever they are logged', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger({ format: 'json', level: 'log' }, stream);
    logger.info({
      password: 'p1',
      currentPassword: 'p2',
      passwordHash: '$argon2id$v=19$m=65536',
      sessionId: 's1',
      body: { password: 'p3', currentPassword: 'p4' },
      user: { passwordHash: '$argon2id$x' },
      req: { headers: { cookie: 'sid=abc', authorization: 'Bearer t' } },
      res: { headers: { 'set-cookie': 'sid=def' } },
    });
    const text = JSON.stringify(lines());
    for (const secret of ['p1', 'p2', 'p3', 'p4', 'argon2', 's1', 'sid=', 'Bearer']) {
      expect(text).not.toContain(secret);
    }
    expect(lines()[0]).toMatchObject({ password: '[redacted]', body: { password: '[redacted]' } });
  });

  it('writes Nest’s level names as pino levels and honours LOG_LEVEL', () => {
    const { stream, lines } = capture();
    const logger = createRootLogger({ format: 'json', level: 'warn' }, stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(lines()).toEqual([expect.objectContaining({ level: 'warn', msg: 'shown' })]);
    expect(createRootLogger({ format: 'json', level: 'verbose' }, stream).level).toBe('trace');
    expect(createRootLogger({ format: 'json', level: 'log' }, stream).level).toBe('info');
  });

  it('prints an access line in pretty format on one line, with its request id', () => {
    const line = {
      reqId: 'r1',
      method: 'GET',
      route: '/products/:id',
      status: 200,
      durationMs: 1.5,
    };
    expect(prettyMessage({ ...line, msg: 'request completed' }, 'msg')).toBe(
      'GET /products/:id 200 1.5 ms request completed (req r1)',
    );
    expect(prettyMessage({ context: 'Bootstrap', msg: 'Listening' }, 'msg')).toBe(
      '[Bootstrap] Listening',
    );
  });
});
