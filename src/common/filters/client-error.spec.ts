import { HttpException } from '@nestjs/common';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { asClientError } from './client-error';

const queryFailed = (code: string): QueryFailedError =>
  new QueryFailedError('DELETE FROM "products"', [], Object.assign(new Error('refused'), { code }));

const answer = (exception: unknown) => {
  const error = asClientError(exception);
  return error && { status: error.getStatus(), body: error.getResponse() };
};

describe(asClientError.name, () => {
  it.each([
    ['a unique violation', '23505'],
    ['a foreign key violation', '23503'],
    ['a restrict violation', '23001'],
  ])('answers %s with 409 in the error shape, naming no table', (_name, code) => {
    const result = answer(queryFailed(code));
    expect(result).toEqual({
      status: 409,
      body: { statusCode: 409, message: expect.any(String), error: 'Conflict' },
    });
    expect(JSON.stringify(result)).not.toMatch(/products/);
  });

  it('answers a TypeORM …OrFail that found nothing with 404, without its criteria', () => {
    const result = answer(new EntityNotFoundError('ProductEntity', { id: 'secret-criteria' }));
    expect(result).toEqual({
      status: 404,
      body: { statusCode: 404, message: expect.any(String), error: 'Not Found' },
    });
    expect(JSON.stringify(result)).not.toMatch(/secret-criteria/);
  });

  it('leaves other database errors and server errors to the filter', () => {
    expect(asClientError(queryFailed('40001'))).toBeUndefined();
    expect(asClientError(new Error('boom'))).toBeUndefined();
    expect(asClientError(new HttpException('down', 503))).toBeUndefined();
  });
});
