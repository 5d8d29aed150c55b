import { nestsDeeperThan } from './json-depth';

const nested = (levels: number, open = '[', close = ']'): string =>
  open.repeat(levels) + close.repeat(levels);

describe(nestsDeeperThan.name, () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
    expect(nestsDeeperThan(nested(33, '{"a":', '}'), 32)).toBe(true);
  });

  it('counts objects and arrays together', () => {
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
  });

  it('measures depth, not how many containers there are side by side', () => {
    expect(nestsDeeperThan(`[${Array(1000).fill('[1]').join(',')}]`, 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\"' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ a: 'quote " then [[[[' }), 1)).toBe(false);
  });

  it('refuses 5,000 nested arrays, where a recursive walk would overflow the stack', () => {
    expect(nestsDeeperThan(nested(5000), 32)).toBe(true);
  });

  it('accepts scalars and leaves malformed text to the parser', () => {
    expect(nestsDeeperThan('42', 0)).toBe(false);
    expect(nestsDeeperThan('"[[["', 0)).toBe(false);
    expect(nestsDeeperThan(']]]]', 1)).toBe(false);
  });
});
