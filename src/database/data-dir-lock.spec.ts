import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, DataDirLock } from './data-dir-lock';

describe(DataDirLock.name, () => {
  let dir: string;
  const lockFile = () => join(dir, 'embedded.pid');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the pid while held, removes it on release, and leaves nothing else behind', () => {
    const sut = DataDirLock.acquire(dir);
    expect(readdirSync(dir)).toEqual(['embedded.pid']);
    expect(() => DataDirLock.assertFree(dir)).not.toThrow();
    sut.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses a folder that another live process holds, naming it', () => {
    writeFileSync(lockFile(), String(process.ppid));
    expect(() => DataDirLock.assertFree(dir)).toThrow(DataDirInUseError);
    expect(() => DataDirLock.acquire(dir)).toThrow(`in use by process ${process.ppid}`);
  });

  it('takes over the file of a process that died', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockFile(), String(dead));
    expect(() => DataDirLock.assertFree(dir)).not.toThrow();
    DataDirLock.acquire(dir).release();
  });
});
