import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { PinoNestLogger } from './pino-nest-logger';
import { requestContext } from './request-context';
import { createRootLogger } from './root-logger';

describe('PinoNestLogger', () => {
  const written: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        written.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const adapter = new PinoNestLogger(createRootLogger({ format: 'json', level: 'debug' }, stream));

  beforeAll(() => {
    Logger.overrideLogger(adapter);
  });
  afterAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => (written.length = 0));

  it('writes a Nest Logger line with its context, and inside a request with that request’s id', async () => {
    const logger = new Logger('Orders');
    logger.log('outside');
    await requestContext.run('req-7', async () => {
      await Promise.resolve();
      logger.warn('inside');
    });
    expect(written).toEqual([
      expect.objectContaining({ level: 'info', context: 'Orders', msg: 'outside' }),
      expect.objectContaining({ level: 'warn', context: 'Orders', msg: 'inside', reqId: 'req-7' }),
    ]);
    expect(written[0]).not.toHaveProperty('reqId');
  });

  it('keeps an error’s stack and an Error’s message', () => {
    const logger = new Logger('Jobs');
    const error = new Error('boom');
    logger.error('failed', error.stack);
    logger.error(error);
    expect(written[0]).toMatchObject({ level: 'error', msg: 'failed', context: 'Jobs' });
    expect(written[0].stack).toContain('boom');
    expect(written[1]).toMatchObject({ level: 'error', msg: 'boom', err: { message: 'boom' } });
  });

  it('maps verbose to trace and leaves it out below that level', () => {
    new Logger('X').verbose('quiet');
    new Logger('X').debug('loud');
    expect(written).toEqual([expect.objectContaining({ level: 'debug', msg: 'loud' })]);
  });
});
