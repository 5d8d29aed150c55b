import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/validate-environment';
import { sessionSecret } from './session-secret';

describe('sessionSecret', () => {
  let dataDir: string;
  const config = (env: Record<string, string>) =>
    new AppConfig(validateEnvironment({ DATA_DIR: dataDir, ...env }));

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'secret-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps one development secret under DATA_DIR, so that sessions survive a restart', () => {
    const first = sessionSecret(config({ NODE_ENV: 'development' }));
    const second = sessionSecret(config({ NODE_ENV: 'development' }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    const file = join(dataDir, 'session-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('uses SESSION_SECRET when set, and never the development file in production', () => {
    const secret = 'x'.repeat(40);
    expect(sessionSecret(config({ NODE_ENV: 'development', SESSION_SECRET: secret }))).toBe(secret);
    expect(sessionSecret(config({ NODE_ENV: 'production', SESSION_SECRET: secret }))).toBe(secret);
    expect(() => readFileSync(join(dataDir, 'session-secret'))).toThrow();
  });

  it('keeps tests on a per-process secret and out of the data folder', () => {
    expect(sessionSecret(config({ NODE_ENV: 'test' }))).toMatch(/^[0-9a-f]{64}$/);
    expect(() => readFileSync(join(dataDir, 'session-secret'))).toThrow();
  });
});
