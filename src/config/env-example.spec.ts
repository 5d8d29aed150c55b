import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { Environment } from './environment';
import { CACHE_TTL_VARIABLE, validateEnvironment } from './validate-environment';

const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
/** `NAME=value` lines, set or commented out. */
const documented = new Map(
  [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => [name, value]),
);

describe('.env.example', () => {
  it.each(Object.keys(new Environment()))('documents %s', (name) => {
    expect(documented.has(name)).toBe(true);
  });

  it('documents only variables the service reads', () => {
    const known = new Set(Object.keys(new Environment()));
    const read = (name: string) => known.has(name) || CACHE_TTL_VARIABLE.test(name);
    expect([...documented.keys()].filter((name) => !read(name))).toEqual([]);
  });

  it('sets exactly the defaults, so that copying it to .env changes nothing', () => {
    const set = parseEnv(example);
    expect(validateEnvironment(set)).toEqual(validateEnvironment({}));
  });
});
