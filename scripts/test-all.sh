#!/usr/bin/env bash
# Every check of the project: lint, format, type check, the deployment manifests (offline schema
# validation), unit tests, e2e tests against real Redis and PostgreSQL (installed when missing;
# started by the tests on free loopback ports).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-servers.sh
[ -d node_modules ] || npm ci
export PATH="$PWD/node_modules/.bin:$PATH"
node scripts/check-node.js

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

npm run --silent lint
npm run --silent format:check
npm run --silent typecheck
npm run --silent check:deploy
npm run --silent test:unit -- --json --outputFile="$results/unit.json"
npm run --silent test:e2e -- --json --outputFile="$results/e2e.json"

node -e '
  const files = process.argv.slice(1).map((f) => require(f));
  const sum = (k) => files.reduce((n, r) => n + r[k], 0);
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
' "$results/unit.json" "$results/e2e.json"
