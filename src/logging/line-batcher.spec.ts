import { LineBatcher } from './line-batcher';

function target() {
  const writes: string[] = [];
  return {
    writes,
    write: (chunk: string) => writes.push(chunk),
    flush: jest.fn((callback: () => void) => callback()),
    flushSync: jest.fn(),
  };
}

describe(LineBatcher.name, () => {
  it('hands the lines of one turn of the event loop to the destination as one write, in order', async () => {
    const destination = target();
    const sut = new LineBatcher(() => destination);
    sut.write('a\n');
    sut.write('b\n');
    expect(destination.writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    sut.write('c\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(destination.writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('hands over its pending lines before the destination flushes, synchronously or not', () => {
    const destination = target();
    const sut = new LineBatcher(() => destination);
    sut.write('last words\n');
    sut.flushSync();
    expect(destination.writes).toEqual(['last words\n']);
    expect(destination.flushSync).toHaveBeenCalled();
    sut.write('more\n');
    sut.flush();
    expect(destination.writes).toEqual(['last words\n', 'more\n']);
    expect(destination.flush).toHaveBeenCalled();
  });
});
