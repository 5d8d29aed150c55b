// `npm start`, `npm run seed` and `npm run user:role` on a fresh clone: build once, and again whenever
// the sources and the build differ: a source newer than the build, a source with no compiled file, or
// a compiled file whose source is gone (a deleted migration must not be applied from `dist/`). A
// built image without `src` runs what it has.
// It only transpiles, with SWC (`.swcrc`: decorators and their metadata, as Nest needs), so that the
// service is up in seconds; `npm test` and `npm run build` (tsc, which production and Docker use)
// type-check.
require('./check-node');
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const built = join(dist, 'main.js');

/** Every file under `dir` whose name ends with `extension`, as paths relative to `dir`, without it. */
function files(dir, extension, skip = /^$/) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension) && !skip.test(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).slice(0, -extension.length));
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(built) || newestMtime(src) > statSync(built).mtimeMs) return true;
  const sources = files(src, '.ts', /\.(spec|d)\.ts$/).sort();
  const compiled = files(dist, '.js').sort();
  return sources.join('\n') !== compiled.join('\n');
}

if (existsSync(src) && isStale()) {
  console.log('Building…');
  rmSync(dist, { recursive: true, force: true });
  const swc = require.resolve('@swc/cli/bin/swc.js');
  execFileSync(
    process.execPath,
    [swc, 'src', '-d', 'dist', '--strip-leading-paths', '--ignore', '**/*.spec.ts', '--quiet'],
    { cwd: root, stdio: 'inherit' },
  );
}
