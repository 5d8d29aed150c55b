// The service and its tests run on Node.js 24 or later. On Linux (x64, arm64) `npm install` brings
// that runtime to node_modules/.bin/node, which every npm script runs first; elsewhere, use nvm or
// Volta (.nvmrc, package.json "volta"). An older Node stops here with what to do, not later with a
// module that fails to load.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node.js 24 or later is needed; this is ${process.version} (${process.execPath}). ` +
      'Run npm install (on Linux it brings Node.js 24 to node_modules/.bin/node), or `nvm use` / Volta.',
  );
  process.exit(1);
}
