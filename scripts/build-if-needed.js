// `npm start`, `npm run seed` and `npm run user:role` on a fresh clone: build once, and again whenever a
// source file is newer than the build. A built image without `src` runs what it has.
// It only transpiles, with SWC (`.swcrc`: decorators and their metadata, as Nest needs), so that the
// service is up in seconds; `npm test` and `npm run build` (tsc, which production and Docker use)
// type-check.
require('./check-node');
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const src = join(root, 'src');
if (existsSync(src) && (!existsSync(built) || newestMtime(src) > statSync(built).mtimeMs)) {
  console.log('Building…');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const swc = require.resolve('@swc/cli/bin/swc.js');
  execFileSync(
    process.execPath,
    [swc, 'src', '-d', 'dist', '--strip-leading-paths', '--ignore', '**/*.spec.ts', '--quiet'],
    { cwd: root, stdio: 'inherit' },
  );
}
