import 'reflect-metadata';
import { SetMetadata } from '@nestjs/common';
import { MemoizingReflector } from './memoizing-reflector';

const KEY = 'sample-key';

@SetMetadata(KEY, 'class')
class Base {
  @SetMetadata(KEY, 'handler')
  annotated(): void {}

  plain(): void {}
}

@SetMetadata(KEY, 'subclass')
class Derived extends Base {}

describe(MemoizingReflector.name, () => {
  let sut: MemoizingReflector;

  beforeEach(() => {
    sut = new MemoizingReflector();
  });

  it('answers as Reflector does: the handler overrides the class, absent is undefined', () => {
    expect(sut.getAllAndOverride(KEY, [Base.prototype.annotated, Base])).toBe('handler');
    expect(sut.getAllAndOverride(KEY, [Base.prototype.plain, Base])).toBe('class');
    expect(sut.getAllAndOverride('other', [Base.prototype.plain, Base])).toBeUndefined();
  });

  it('keeps the answers of one handler apart per class and per key', () => {
    expect(sut.getAllAndOverride(KEY, [Base.prototype.plain, Base])).toBe('class');
    expect(sut.getAllAndOverride(KEY, [Base.prototype.plain, Derived])).toBe('subclass');
    expect(sut.getAllAndOverride('other', [Base.prototype.plain, Derived])).toBeUndefined();
  });

  it('reads the metadata of a handler and class once, then answers from memory', () => {
    const read = jest.spyOn(sut, 'get');
    sut.getAllAndOverride(KEY, [Base.prototype.plain, Base]);
    const first = read.mock.calls.length;
    sut.getAllAndOverride(KEY, [Base.prototype.plain, Base]);
    expect(first).toBe(2);
    expect(read).toHaveBeenCalledTimes(first);
  });

  it('does not remember lookups over other target lists', () => {
    const read = jest.spyOn(sut, 'get');
    expect(sut.getAllAndOverride(KEY, [Base])).toBe('class');
    expect(sut.getAllAndOverride(KEY, [Base])).toBe('class');
    expect(read).toHaveBeenCalledTimes(2);
  });
});
