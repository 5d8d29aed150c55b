import { BadRequestException } from '@nestjs/common';
import { CanonicalIdsPipe } from './canonical-ids.pipe';
import { ParseIdPipe } from './parse-id.pipe';

const ID = '6b1b2c7e-1d4f-4a8e-9c1b-2f3e4d5c6b7a';

describe(ParseIdPipe.name, () => {
  const sut = new ParseIdPipe();

  it('answers a UUID in lower case, whatever case it came in', () => {
    expect(sut.transform(ID.toUpperCase())).toBe(ID);
    expect(sut.transform('6B1b2C7e-1d4F-4a8e-9C1b-2f3e4D5c6b7A')).toBe(ID);
    expect(sut.transform(ID)).toBe(ID);
  });

  it('answers 400 for anything but a UUID', () => {
    for (const value of ['42', `${ID}x`, '', 'g'.repeat(36), undefined, 42]) {
      expect(() => sut.transform(value)).toThrow(BadRequestException);
    }
  });
});

describe(CanonicalIdsPipe.name, () => {
  const sut = new CanonicalIdsPipe();

  it('lower-cases a UUID-shaped route parameter, one or all of them', () => {
    expect(sut.transform(ID.toUpperCase(), { type: 'param', data: 'id' })).toBe(ID);
    expect(sut.transform({ id: ID.toUpperCase(), slug: 'Keep-Me' }, { type: 'param' })).toEqual({
      id: ID,
      slug: 'Keep-Me',
    });
  });

  it('leaves other parameters, bodies and queries as they are', () => {
    expect(sut.transform('Not-An-Id', { type: 'param', data: 'slug' })).toBe('Not-An-Id');
    const body = { id: ID.toUpperCase() };
    expect(sut.transform(body, { type: 'body' })).toBe(body);
    expect(sut.transform(ID.toUpperCase(), { type: 'query', data: 'q' })).toBe(ID.toUpperCase());
  });
});
